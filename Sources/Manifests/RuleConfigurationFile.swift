#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import IdentityRules
import Yams
import YAMLBounds
import KubeJSON

/// Reads `--config FILE`: `rules: { RULE-ID: deny | warn | off }` in YAML (or JSON, which is YAML).
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
        let document = node.map(YAMLValueConverter.jsonValue(from:)) ?? .object(JSONObject())
        do {
            return try RuleConfiguration(document: document)
        } catch {
            var named = error
            named.file = path
            throw named
        }
    }
}
