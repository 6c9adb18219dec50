#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
public import Logging
import NIOCore
public import NIOSSL
public import ServiceLifecycle
import NIOConcurrencyHelpers

/// Serves the current certificate pair from disk and swaps in a new one when the files change, without a
/// restart — controller-runtime's `certwatcher`.
///
/// Each TLS handshake asks ``contextCallback`` for the pair, so a swap takes effect on the next handshake while
/// connections in flight keep theirs. Changes are noticed by watching the files' directories with inotify
/// (which sees Kubernetes' atomic `..data` symlink swap of a mounted Secret) and, as a safety net, by polling
/// every ``pollInterval``. A new pair that cannot be read, parsed or does not match is refused with an error
/// log, and the old one is kept.
public final class CertificateReloader: Service, Sendable {
    public let certificateFile: String
    public let privateKeyFile: String
    public let pollInterval: Duration
    private let current: NIOLockedValueBox<ServingCertificate>
    private let logger: Logger
    private let onChange: @Sendable (ServingCertificate) -> Void

    /// Loads the pair now; throws when the initial pair is unusable (the server must not start without one).
    public init(
        certificateFile: String,
        privateKeyFile: String,
        pollInterval: Duration = .seconds(10),
        logger: Logger,
        onChange: @escaping @Sendable (ServingCertificate) -> Void = { _ in }
    ) throws(CertificateError) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.pollInterval = pollInterval
        self.logger = logger
        self.onChange = onChange
        let initial = try ServingCertificate(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        current = NIOLockedValueBox(initial)
        onChange(initial)
    }

    /// The pair the next handshake will use.
    public var certificate: ServingCertificate {
        current.withLockedValue { $0 }
    }

    /// The NIOSSL per-handshake callback that hands out the current pair.
    public var contextCallback: NIOSSLContextCallback {
        { [current] _, promise in
            let pair = current.withLockedValue { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = pair.chain.map { .certificate($0) }
            override.privateKey = .privateKey(pair.privateKey)
            promise.succeed(override)
        }
    }

    /// Re-reads the files; swaps the pair when they changed and are valid. Returns whether it swapped.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let files: (certificate: [UInt8], key: [UInt8])
        do {
            files = try ServingCertificate.read(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        } catch {
            logger.error("certificate reload failed; keeping the current certificate", metadata: ["error": "\(error)"])
            return false
        }
        let fingerprint = ServingCertificate.digest(files.certificate, files.key)
        guard fingerprint != current.withLockedValue({ $0.fingerprint }) else { return false }
        do {
            let pair = try ServingCertificate(certificatePEM: files.certificate, privateKeyPEM: files.key)
            current.withLockedValue { $0 = pair }
            logger.info("serving certificate reloaded", metadata: [
                "subject": "\(pair.subject)", "notAfter": "\(pair.notValidAfter)",
            ])
            onChange(pair)
            return true
        } catch {
            logger.error("certificate reload refused; keeping the current certificate",
                         metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Watches and polls until graceful shutdown.
    public func run() async throws {
        let (changes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let watch = DirectoryWatch(
            directories: Set([certificateFile, privateKeyFile].map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }),
            onEvent: { continuation.yield() }
        )
        let poller = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                continuation.yield()
            }
        }
        await withGracefulShutdownHandler {
            for await _ in changes.cancelOnGracefulShutdown() {
                // Let a multi-file update (certificate, then key) settle before reading.
                try? await Task.sleep(for: .milliseconds(50))
                reloadIfChanged()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        poller.cancel()
        watch.stop()
    }
}

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
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: DispatchQueue(label: "cert-watch"))
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
