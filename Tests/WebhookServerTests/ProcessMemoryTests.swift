import SystemSupport
import Testing

/// The allocator setting `identity-guard` makes at start (README, "Audit").
@Suite("Process memory")
struct ProcessMemoryTests {
    @Test("glibc takes the fixed threshold for serving large allocations with their own mappings")
    func largeAllocationThreshold() {
        #if canImport(Glibc)
        #expect(ProcessMemory.fixLargeAllocationThreshold())
        #endif
    }
}
