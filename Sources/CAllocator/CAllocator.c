#include "CAllocator.h"
#include <stdlib.h> /* defines __GLIBC__ (through features.h) on glibc systems; test it after this */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int lossbench_keep_large_allocations(void) {
#if defined(__GLIBC__)
    /* glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit (HEAP_MAX_SIZE / 2) and rejects larger
       values, so ask for exactly that: every benchmark array up to 32 MiB then comes from the
       heap, and a 1 GiB trim threshold keeps freed blocks there for the next call. */
    int mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    int trim_ok = mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return mmap_ok && trim_ok;
#else
    return 0;
#endif
}
