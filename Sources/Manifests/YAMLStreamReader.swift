import Foundation
import IdentityRules
import Yams
import YAMLBounds
import KubeJSON

/// Reads every document of a YAML (or JSON) text with positions, keeping duplicate keys.
///
/// Composes with `Resolver.basic` (types are resolved by ``YAMLScalarResolver`` while converting) and retries
/// with ``KeyMarkers`` when Yams refuses a repeated key, so that the rules, not the parser, report it.
enum YAMLStreamReader {
    /// One document as read: its value, the positions of its fields, and where it starts.
    struct Document: Sendable {
        var value: JSONValue
        var positions: PositionTable
    }

    /// How many duplicate mapping keys a file may hold and still be read (each is reported as a finding).
    static let maximumDuplicateKeys = 32

    /// The documents of `text`; a syntax error throws with its position in `file`.
    static func documents(in text: String, file: String) throws(InputError) -> [Document] {
        // Before Yams composes: it would expand every alias (and hash alias keys whole).
        if let refusal = YAMLAliasBudget.standard.check(text) {
            let position = SourcePosition(line: refusal.line, column: refusal.column)
            throw InputError(.syntax, file: file, position: position, message: refusal.message)
        }
        var text = text
        var markers = KeyMarkers()
        while true {
            do {
                return try compose(text, markers: markers)
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                let position = SourcePosition(line: context.mark.line, column: context.mark.column)
                // Each duplicate costs one more parse of the whole text, so a file may hold at most
                // `maximumDuplicateKeys` of them; past that it is refused (found by ManifestFuzz: a few hundred
                // duplicate keys made reading a small file take seconds).
                guard markers.insertions.count < maximumDuplicateKeys, markers.insert(at: position, in: &text) else {
                    let keys = duplicates.map(GoQuote.quote).joined(separator: ", ")
                    throw InputError(.syntax, file: file, position: markers.adjust(position),
                                        message: "YAML syntax error: duplicate mapping key \(keys)")
                }
            } catch {
                throw syntaxError(error, file: file, text: text, markers: markers)
            }
        }
    }

    private static func compose(_ text: String, markers: KeyMarkers) throws -> [Document] {
        let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
        var documents: [Document] = []
        while let node = try parser.nextRoot() {
            if case .scalar(let scalar) = node, scalar.string.isEmpty, scalar.style == .plain { continue }
            let converted = PositionedYAMLConverter.convert(node, markers: markers)
            documents.append(Document(value: converted.value, positions: converted.positions))
        }
        return documents
    }

    private static func syntaxError(_ error: any Error, file: String, text: String, markers: KeyMarkers)
        -> InputError
    {
        guard let yamlError = error as? YamlError else {
            return InputError(.syntax, file: file, message: "YAML syntax error: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at \(markers.adjust(position(context.mark))))"
            }
            return InputError(.syntax, file: file, position: markers.adjust(position(mark)), message: message)
        case .reader(let problem, let offset, _, _):
            return InputError(.syntax, file: file, position: offset.map { position(ofByte: $0, in: text) },
                                 message: "YAML syntax error: \(problem)")
        default:
            return InputError(.syntax, file: file, message: "YAML syntax error: \(yamlError)")
        }
    }

    private static func position(_ mark: Mark) -> SourcePosition {
        SourcePosition(line: mark.line, column: mark.column)
    }

    /// The line and column of a byte offset (libyaml's reader reports offsets).
    private static func position(ofByte offset: Int, in text: String) -> SourcePosition {
        var line = 1
        var column = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourcePosition(line: line, column: column)
    }
}
