#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
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
    ) throws(ServingCertificateError) {
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

    /// Watches and polls until graceful shutdown; the poll loop is a child task of this service, so the
    /// service group that runs the reloader owns it and nothing outlives the group.
    public func run() async throws {
        let (changes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let directories = Set([certificateFile, privateKeyFile].map {
            URL(fileURLWithPath: $0).deletingLastPathComponent().path
        })
        let watch = DirectoryWatch(directories: directories, onEvent: { continuation.yield() })
        defer { watch.stop() }
        let pollInterval = pollInterval
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
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
            group.cancelAll()
        }
    }
}
