import KubeJSON
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle
import Testing
import WebhookServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects the server's log lines (JSON, one per event) in memory.
package final class LogCapture: Sendable {
    package init() {}

    private let buffer = NIOLockedValueBox<[String]>([])

    package var logger: Logger {
        let buffer = buffer
        var logger = Logger(label: "identity-guard-test") { label in
            LineLogHandler(label: label, format: .json, level: .info) { bytes in
                let line = String(decoding: bytes, as: UTF8.self)
                buffer.withLockedValue { $0.append(line) }
            }
        }
        logger.logLevel = .info
        return logger
    }

    package var lines: [String] { buffer.withLockedValue { $0 } }

    /// The lines whose `msg` is `message`, parsed.
    package func events(_ message: String) -> [JSONValue] {
        lines.compactMap { try? JSONReader.parse($0) }.filter { $0["msg"]?.stringValue == message }
    }
}

/// A logger that drops everything (the service group's own chatter).
package let quietLogger = Logger(label: "identity-guard-test-quiet") { _ in SwiftLogNoOpLogHandler() }
