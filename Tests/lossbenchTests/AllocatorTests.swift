import Testing
import CAllocator

@Suite struct AllocatorTests {
    /// The bench command's allocator tuning must really reach glibc: it once compiled to a no-op
    /// (`__GLIBC__` tested before any header defined it), and every backward pass then paid page
    /// faults on fresh gradient arrays.
    @Test func mallocTuningTakesEffectOnGlibc() {
        #if os(Linux)
        #expect(lossbench_keep_large_allocations() == 1)
        #endif
    }
}
