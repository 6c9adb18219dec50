public import Logging
#if canImport(Glibc)
import Glibc
#endif
import KubeJSON

/// A swift-log handler that writes one line per event to standard error, as JSON or text.
///
/// Lines are written whole — lines from concurrent requests never interleave — and nothing on the way takes
/// a lock: the timestamp is formatted from the wall clock each time, and lines made on an event loop are
/// batched per loop turn by ``EventLoopLineBatcher``. Values are
/// whatever the caller put in metadata; identity-guard never puts a secret there.
///
/// The admission transport logs one line per request; it hands its fields over already sorted through
/// ``emit(level:message:sortedFields:)`` and skips swift-log's metadata dictionary (README, "Performance").
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
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty { merged.merge(metadata) { explicit, _ in explicit } }
        let fields = merged.keys.sorted().map { ($0, merged[$0]!) }
        sink(line(level: event.level, message: event.message.description, sortedFields: fields))
    }

    /// Writes the line `log(event:)` would write for these fields, which must be sorted by key and must not
    /// repeat one. Only for a handler without metadata of its own (``canEmitDirectly``).
    func emit(level: Logger.Level, message: String, sortedFields: [(String, Logger.MetadataValue)]) {
        sink(line(level: level, message: message, sortedFields: sortedFields))
    }

    /// Whether ``emit(level:message:sortedFields:)`` gives the same line as `log(event:)`: the handler adds
    /// no metadata of its own to merge in.
    var canEmitDirectly: Bool { metadata.isEmpty }

    private func line(level: Logger.Level, message: String, sortedFields: [(String, Logger.MetadataValue)])
        -> [UInt8]
    {
        let time = Self.timestamp()
        switch format {
        case .json:
            var writer = JSONWriter(reservingCapacity: 320)
            writer.beginObject()
            writer.writeMember("time", time)
            writer.writeMember("level", level.rawValue)
            writer.writeMember("logger", label)
            writer.writeMember("msg", message)
            for (key, value) in sortedFields {
                writer.writeKey(key)
                Self.write(value, to: &writer)
            }
            writer.endObject()
            var bytes = writer.takeBytes()
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        case .text:
            var text = "\(time) \(level.rawValue) \(message)"
            for (key, value) in sortedFields { text += " \(key)=\(Self.text(value))" }
            return Array((text + "\n").utf8)
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

    /// The current time in RFC 3339, UTC, whole seconds (`2026-11-29T04:05:06Z`), formatted by hand from
    /// `time(2)`: a formatter (and a lock around a cached value) cost more than the rest of a log line.
    static func timestamp() -> String {
        timestamp(secondsSince1970: Int64(Glibc.time(nil)))
    }

    /// `secondsSince1970` in RFC 3339 (UTC, whole seconds); the civil date by Howard Hinnant's
    /// `civil_from_days`.
    static func timestamp(secondsSince1970 seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, at offset: Int, digits: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, at: 0, digits: 4)
        bytes[4] = UInt8(ascii: "-")
        put(month, at: 5, digits: 2)
        bytes[7] = UInt8(ascii: "-")
        put(day, at: 8, digits: 2)
        bytes[10] = UInt8(ascii: "T")
        put(secondOfDay / 3_600, at: 11, digits: 2)
        bytes[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, at: 14, digits: 2)
        bytes[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, at: 17, digits: 2)
        bytes[19] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes whole lines to standard error: from an event loop, batched per loop turn
    /// (``EventLoopLineBatcher``); from anywhere else, at once. Each write is one system call.
    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in standardErrorBatcher.write(bytes) }

    private static let standardErrorBatcher = EventLoopLineBatcher(output: writeToStandardError)

    /// `bytes` to file descriptor 2 in one `write(2)` (more only if the kernel takes part of it).
    static func writeToStandardError(_ bytes: [UInt8]) {
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
