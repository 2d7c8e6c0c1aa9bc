#include "CAllocator.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int lossbench_keep_large_allocations(void) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, 1 << 30) && mallopt(M_TRIM_THRESHOLD, 1 << 30);
#else
    return 0;
#endif
}
