#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import IdentityRules
import Yams
import YAMLBounds
import KubeJSON

/// Reads `--config FILE`: `rules: { RULE-ID: deny | warn | off }` and `exemptions: [...]` in YAML (or JSON, which
/// is YAML); an error names the file and, where it has one, the line and column.
public enum RuleConfigurationFile {
    /// The configuration in `path`; every problem is a ``ConfigurationError`` naming the file.
    public static func load(_ path: String) throws(ConfigurationError) -> RuleConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(.malformed, subject: "cannot read the file", file: path)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(.malformed, subject: "not UTF-8 text", file: path)
        }
        if let refusal = YAMLAliasBudget.standard.check(text) {
            var error = ConfigurationError(.yaml, subject: refusal.message, file: path)
            error.line = refusal.line
            error.column = refusal.column
            throw error
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(.malformed, subject: "not valid YAML: \(error)", file: path)
        }
        // Positioned, so that an error in `rules:` or `exemptions:` names its line.
        let converted = node.map { PositionedYAMLConverter.convert(enforcementsAsText($0), markers: KeyMarkers()) }
        let document = converted?.value ?? .object(JSONObject())
        do {
            return try RuleConfiguration(document: document)
        } catch {
            var named = error
            named.file = path
            if let field = error.field, let converted {
                let position = converted.positions.position(of: field, in: document)
                    ?? converted.positions.documentPosition
                named.line = position.line
                named.column = position.column
            }
            throw named
        }
    }

    /// `rules:` values as the text written: YAML 1.1 reads a plain `off` (also `no`, `on`, `yes`) as a boolean, and
    /// `user.name-hash: off` is how everyone writes it (deploy/base/config.yaml does).
    static func enforcementsAsText(_ root: Node) -> Node {
        guard case .mapping(var mapping) = root, let rules = mapping["rules"], case .mapping(var entries) = rules
        else { return root }
        for (key, value) in entries {
            guard case .scalar(var scalar) = value, scalar.style == .plain || scalar.style == .any else { continue }
            scalar.tag = Tag(.str)
            entries[key] = .scalar(scalar)
        }
        mapping["rules"] = .mapping(entries)
        return .mapping(mapping)
    }
}
