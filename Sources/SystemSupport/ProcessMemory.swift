#if canImport(Glibc)
import Glibc
#endif

/// Hands memory the process has freed back to the system.
///
/// glibc keeps freed pages for reuse, so after a burst — the first list of 100,000 Users, a flood of
/// connections — the process stays as large as at the burst's peak though it holds far less. Callers ask for
/// this once per burst, never per request: a trim walks the heap.
public enum ProcessMemory {
    /// The size from which glibc serves an allocation with its own `mmap`, returned to the system when freed.
    public static let largeAllocationBytes = 256 * 1024

    /// Serves every allocation of ``largeAllocationBytes`` or more with its own mapping, for the process's life.
    ///
    /// glibc's default threshold moves: each time a mapped block is freed it rises to that block's size (up to
    /// 32 MiB), so from the second list page on, the page buffers (a page of 500 Users is about 2 MB) come from
    /// the heap, between the cache's long-lived strings, and what they leave cannot all be trimmed. With the
    /// threshold fixed, `serve --audit-interval` over 100,000 Users is back at the cache's own size after each
    /// audit (README, "Audit"). Requests are a few KB: the hot path never reaches it.
    /// Returns whether the allocator took the setting (false where it is not glibc's).
    @discardableResult
    public static func fixLargeAllocationThreshold() -> Bool {
        #if canImport(Glibc)
        // mallopt(M_MMAP_THRESHOLD = -3, bytes), 1 on success; looked up like malloc_trim below.
        typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        return unsafeBitCast(symbol, to: MallocOption.self)(-3, Int32(largeAllocationBytes)) == 1
        #else
        return false
        #endif
    }

    public static func returnFreed() {
        #if canImport(Glibc)
        // malloc.h is not part of Swift's Glibc module: look the function up (RTLD_DEFAULT is a null handle).
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
        #endif
    }
}
