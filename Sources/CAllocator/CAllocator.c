#include "CAllocator.h"
#include <stdlib.h> /* defines __GLIBC__ (through features.h) on glibc systems; test it after this */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int lossbench_keep_large_allocations(void) {
#if defined(__GLIBC__)
    /* glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit (HEAP_MAX_SIZE / 2) and rejects larger
       values, so ask for exactly that: every benchmark array up to 32 MiB then comes from the
       heap, and a 1 GiB trim threshold keeps freed blocks there for the next call. The 64 MiB
       gradients of the 2^24-element size grid are above any threshold, so M_MMAP_MAX = 0 turns
       mmap off altogether: without it each such call mapped, faulted and zeroed fresh pages
       (mse_loss backward at 2^24 took 18 ms, 4.5x its 2^22 time per element). A request that a
       thread's arena cannot serve then falls back to the main heap. */
    int mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    int trim_ok = mallopt(M_TRIM_THRESHOLD, 1 << 30);
    int max_ok = mallopt(M_MMAP_MAX, 0);
    return mmap_ok && trim_ok && max_ok;
#else
    return 0;
#endif
}
