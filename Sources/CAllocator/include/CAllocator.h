// Allocator tuning for benchmarks (glibc's mallopt is declared in malloc.h, which Swift's Glibc
// module does not export).
#ifndef LOSSBENCH_CALLOCATOR_H
#define LOSSBENCH_CALLOCATOR_H

/// Keeps freed large blocks in the heap instead of returning them to the kernel, so repeated
/// calls that allocate multi-megabyte results do not pay page faults on fresh mmap'ed pages.
/// Returns 1 on success, 0 where unsupported.
int lossbench_keep_large_allocations(void);

#endif
