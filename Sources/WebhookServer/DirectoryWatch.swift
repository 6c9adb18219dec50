#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// inotify on a few directories (Linux); elsewhere nothing, and polling alone notices changes.
final class DirectoryWatch: Sendable {
    #if canImport(Glibc)
    private nonisolated(unsafe) let source: (any DispatchSourceRead)?
    #endif

    init(directories: Set<String>, onEvent: @escaping @Sendable () -> Void) {
        #if canImport(Glibc)
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            source = nil
            return
        }
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_ATTRIB | IN_MODIFY)
        for directory in directories {
            _ = inotify_add_watch(descriptor, directory, mask)
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor,
                                                   queue: DispatchQueue(label: "cert-watch"))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while read(descriptor, &buffer, buffer.count) > 0 {}
            onEvent()
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
        self.source = source
        #endif
    }

    func stop() {
        #if canImport(Glibc)
        source?.cancel()
        #endif
    }
}
