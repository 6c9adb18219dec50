public import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import KubeJSON

/// A swift-log handler that writes one line per event to standard error, as JSON or text.
///
/// Each line is written with a single `write(2)`, so lines from concurrent requests never interleave. Values
/// are whatever the caller put in metadata; identity-guard never puts a secret there.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let label: String
    public let format: LogFormat
    private let sink: @Sendable ([UInt8]) -> Void

    public init(label: String, format: LogFormat, level: Logger.Level = .info,
                sink: @escaping @Sendable ([UInt8]) -> Void = LineLogHandler.standardError) {
        self.label = label
        self.format = format
        logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty { merged.merge(metadata) { explicit, _ in explicit } }
        let time = Self.timestamp()
        switch format {
        case .json:
            var writer = JSONWriter(reservingCapacity: 256)
            writer.beginObject()
            writer.writeMember("time", time)
            writer.writeMember("level", level.rawValue)
            writer.writeMember("logger", label)
            writer.writeMember("msg", message.description)
            for key in merged.keys.sorted() {
                writer.writeKey(key)
                Self.write(merged[key]!, to: &writer)
            }
            writer.endObject()
            sink(writer.bytes + [UInt8(ascii: "\n")])
        case .text:
            var text = "\(time) \(level.rawValue) \(message)"
            for key in merged.keys.sorted() { text += " \(key)=\(Self.text(merged[key]!))" }
            sink(Array((text + "\n").utf8))
        }
    }

    private static func write(_ value: Logger.MetadataValue, to writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.writeString(text)
        case .stringConvertible(let convertible): writer.writeString(convertible.description)
        case .array(let values):
            writer.beginArray()
            for element in values {
                writer.beginElement()
                write(element, to: &writer)
            }
            writer.endArray()
        case .dictionary(let dictionary):
            writer.beginObject()
            for key in dictionary.keys.sorted() {
                writer.writeKey(key)
                write(dictionary[key]!, to: &writer)
            }
            writer.endObject()
        }
    }

    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text):
            text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? GoQuote.quote(text) : text
        case .stringConvertible(let convertible): text(.string(convertible.description))
        case .array(let values): values.map(text).joined(separator: ",")
        case .dictionary(let dictionary): dictionary.keys.sorted().map { "\($0):\(text(dictionary[$0]!))" }
            .joined(separator: ",")
        }
    }

    /// The current time in RFC 3339 (UTC, seconds), formatted once per second: formatting a date costs more
    /// than the rest of a log line.
    private static let clock = NIOLockedValueBox<(second: Int, text: String)>((-1, ""))

    static func timestamp() -> String {
        let now = Date()
        let second = Int(now.timeIntervalSince1970)
        if let cached = clock.withLockedValue({ $0.second == second ? $0.text : nil }) { return cached }
        let text = now.formatted(.iso8601)
        clock.withLockedValue { $0 = (second, text) }
        return text
    }

    /// Writes a whole line to standard error in one system call.
    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
