#if canImport(Glibc)
import Glibc
#endif

/// Hands memory the process has freed back to the system.
///
/// glibc keeps freed pages for reuse, so after a burst — the first list of 100,000 Users, a flood of
/// connections — the process stays as large as at the burst's peak though it holds far less. Callers ask for
/// this once per burst, never per request: a trim walks the heap.
public enum ProcessMemory {
    public static func returnFreed() {
        #if canImport(Glibc)
        // malloc.h is not part of Swift's Glibc module: look the function up (RTLD_DEFAULT is a null handle).
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
        #endif
    }
}
