import KubeJSON
import Logging

/// The fields of one ``LineLogHandler`` line as its caller adds them, sorted by key: written straight into the
/// line in the handler's format, or collected when the handler has metadata of its own to merge in first.
///
/// The admission line is written for every request. Handing its fields over as swift-log metadata values in
/// an array cost an allocation, a retain and a release per field, and an enum copy per value; the fields' own
/// strings written into the line in place cost none of that.
struct LogLineFields {
    /// The JSON line being written (format `json`).
    var json: JSONWriter?
    /// The text line being written (format `text`).
    var text: String?
    /// The fields as metadata, to be merged with the handler's own before they are written.
    private(set) var collected: [(String, Logger.MetadataValue)]?

    init(json: JSONWriter) {
        self.json = json
    }

    init(text: String) {
        self.text = text
    }

    init(collecting: Void) {
        collected = []
    }

    /// A field holding one string, named in the program (``JSONWriter/writeKey(literal:)``).
    mutating func add(_ key: StaticString, _ value: String) {
        if json != nil {
            json!.writeKey(literal: key)
            json!.writeString(value)
        } else {
            add("\(key)", metadata: .string(value))
        }
    }

    /// A field holding a list of strings, named in the program.
    mutating func add(_ key: StaticString, list values: [String]) {
        if json != nil {
            json!.writeKey(literal: key)
            json!.beginArray()
            for value in values {
                json!.beginElement()
                json!.writeString(value)
            }
            json!.endArray()
        } else {
            add("\(key)", metadata: .array(values.map { .string($0) }))
        }
    }

    /// A field holding any metadata value.
    mutating func add(_ key: String, metadata value: Logger.MetadataValue) {
        if json != nil {
            json!.writeKey(key)
            LineLogHandler.write(value, to: &json!)
        } else if text != nil {
            text! += " \(key)=\(LineLogHandler.text(value))"
        } else {
            collected!.append((key, value))
        }
    }
}
