public import Logging
#if canImport(Glibc)
import Glibc
#endif
import NIOPosix
import SystemSupport
import KubeJSON

/// A swift-log handler that writes one line per event to standard error, as JSON or text.
///
/// Lines are written whole — lines from concurrent requests never interleave — and nothing on the way takes
/// a lock: the timestamp is formatted once a second on each thread, and lines made on an event loop are
/// batched per loop turn by ``EventLoopLineBatcher``. Values are
/// whatever the caller put in metadata; identity-guard never puts a secret there.
///
/// The admission transport logs one line per request; it hands its fields over already sorted through
/// ``emit(level:message:fields:)``, which writes them straight into the line without swift-log's metadata
/// dictionary or values (README, "Performance").
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let label: String
    public let format: LogFormat
    /// Where lines go: nil for standard error, through the event loop's batch.
    private let sink: (@Sendable ([UInt8]) -> Void)?

    /// - Parameter sink: takes each line (with its line break); nil writes them to standard error, batched per
    ///   event loop turn (``EventLoopLineBatcher``) — written straight into the batch.
    public init(label: String, format: LogFormat, level: Logger.Level = .info,
                sink: (@Sendable ([UInt8]) -> Void)? = nil) {
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
        let fields = merged(with: event.metadata ?? [:])
        write(level: event.level, message: event.message.description) { line in
            for (key, value) in fields { line.add(key, metadata: value) }
        }
    }

    /// Writes the line `log(event:)` would write for the fields `addFields` adds, which must come sorted by key
    /// and must not repeat one: straight into the line — no metadata values, array or dictionary in between —
    /// unless the handler has metadata of its own to merge in.
    func emit(level: Logger.Level, message: String, fields addFields: (inout LogLineFields) -> Void) {
        guard metadata.isEmpty else {
            var collected = LogLineFields(collecting: ())
            addFields(&collected)
            let fields = merged(with: Logger.Metadata(uniqueKeysWithValues: collected.collected ?? []))
            write(level: level, message: message) { line in
                for (key, value) in fields { line.add(key, metadata: value) }
            }
            return
        }
        write(level: level, message: message, fields: addFields)
    }

    private func write(level: Logger.Level, message: String, fields: (inout LogLineFields) -> Void) {
        guard let sink else {
            Self.standardErrorBatcher.appendLine { bytes in
                appendLine(to: &bytes, level: level, message: message, fields: fields)
            }
            return
        }
        var line: [UInt8] = []
        line.reserveCapacity(320)
        appendLine(to: &line, level: level, message: message, fields: fields)
        sink(line)
    }

    /// `explicit` with the handler's own metadata where it does not say otherwise, sorted by key.
    private func merged(with explicit: Logger.Metadata) -> [(String, Logger.MetadataValue)] {
        var all = explicit
        if !metadata.isEmpty { all.merge(metadata) { explicit, _ in explicit } }
        return all.keys.sorted().map { ($0, all[$0]!) }
    }

    /// Appends the line, line break included, to `bytes`.
    private func appendLine(to bytes: inout [UInt8], level: Logger.Level, message: String,
                            fields addFields: (inout LogLineFields) -> Void)
    {
        let time = Self.timestamp()
        switch format {
        case .json:
            let opening = Self.jsonOpening(time: time, level: level, label: label, message: message)
            var line = LogLineFields(json: JSONWriter(continuing: &bytes))
            line.json!.beginObject()
            line.json!.writeEncodedMembers(opening)
            addFields(&line)
            line.json!.endObject()
            bytes = line.json!.takeBytes()
            bytes.append(UInt8(ascii: "\n"))
        case .text:
            var line = LogLineFields(text: "\(time) \(level.rawValue) \(message)")
            addFields(&line)
            bytes.append(contentsOf: (line.text! + "\n").utf8)
        }
    }

    /// A JSON line's first members — `"time":…,"level":…,"logger":…,"msg":…` — encoded once per second and
    /// thread for each level, logger and message in a row: the same for every admission line of a second, and
    /// writing them member by member was a sixth of the line's cost.
    static func jsonOpening(time: String, level: Logger.Level, label: String, message: String) -> [UInt8] {
        let cached = jsonOpenings.current(orMake: JSONOpening.init)
        if cached.time != time || cached.level != level || cached.label != label || cached.message != message {
            var writer = JSONWriter(reservingCapacity: 128)
            writer.beginObject()
            writer.writeMember(literal: "time", time)
            writer.writeMember(literal: "level", level.rawValue)
            writer.writeMember(literal: "logger", label)
            writer.writeMember(literal: "msg", message)
            (cached.time, cached.level, cached.label, cached.message) = (time, level, label, message)
            cached.encoded = Array(writer.takeBytes().dropFirst())  // without the `{`
        }
        return cached.encoded
    }

    /// One thread's last ``jsonOpening(time:level:label:message:)``. Only its own thread touches it, hence
    /// unchecked.
    private final class JSONOpening: @unchecked Sendable {
        var time = ""
        var level = Logger.Level.trace
        var label = ""
        var message = ""
        var encoded: [UInt8] = []
    }

    private static let jsonOpenings = ThreadSpecificVariable<JSONOpening>()

    /// A metadata value in JSON: strings as strings, arrays and dictionaries (keys sorted) as themselves.
    static func write(_ value: Logger.MetadataValue, to writer: inout JSONWriter) {
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

    /// A metadata value in the text format: Go-quoted when empty or holding a space, quote or `=`.
    static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text):
            text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? GoQuote.quote(text) : text
        case .stringConvertible(let convertible): text(.string(convertible.description))
        case .array(let values): values.map(text).joined(separator: ",")
        case .dictionary(let dictionary): dictionary.keys.sorted().map { "\($0):\(text(dictionary[$0]!))" }
            .joined(separator: ",")
        }
    }

    /// The current time in RFC 3339, UTC, whole seconds (`2026-11-29T04:05:06Z`), formatted by hand
    /// (``CivilTime``) once per second and thread: a formatter, and a lock around a cached value, cost more than
    /// the rest of a log line.
    static func timestamp() -> String {
        rfc3339.now
    }

    private static let rfc3339 = PerSecondText { $0.rfc3339 }

    /// Whole lines to standard error: from an event loop, batched per loop turn; from anywhere else, at once.
    /// Each write is one system call.
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
