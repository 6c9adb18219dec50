public import ArgumentParser
public import IdentityRules
import KubeJSON

/// `identity-guard rules`: every rule with its id, kind, default enforcement and one-line summary.
public struct RulesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every rule: id, kind, default enforcement, native policy or webhook only, summary."
    )

    @Option(help: "Output format: text or json.")
    public var format: ListingFormat = .text

    public init() {}

    public func run() {
        print(Self.render(format: format), terminator: "")
    }

    /// The listing, exactly as printed.
    public static func render(format: ListingFormat, rules: [any Rule] = RuleCatalog.all) -> String {
        switch format {
        case .text:
            let idWidth = max("RULE".count, rules.map(\.id.rawValue.count).max() ?? 0)
            let kindWidth = max("KIND".count, rules.map(\.kind.rawValue.count).max() ?? 0)
            func row(_ id: String, _ kind: String, _ enforcement: String, _ mutating: String, _ native: String,
                     _ summary: String) -> String
            {
                pad(id, idWidth) + "  " + pad(kind, kindWidth) + "  " + pad(enforcement, 7) + "  "
                    + pad(mutating, 8) + "  " + pad(native, 12) + "  " + summary + "\n"
            }
            var text = row("RULE", "KIND", "DEFAULT", "MUTATES", "NATIVE", "SUMMARY")
            var reasons: [String] = []
            for rule in rules {
                let form = (rule as? any NativeRule)?.nativeForm
                let native: String
                switch form {
                case .policy?:
                    native = "native"
                case .webhookOnly(let reason)?:
                    native = "webhook only"
                    reasons.append("  \(rule.id.rawValue): \(reason)")
                case nil:
                    native = "webhook only"
                    reasons.append("  \(rule.id.rawValue): no CEL form declared")
                }
                text += row(rule.id.rawValue, rule.kind.rawValue, rule.defaultEnforcement.rawValue,
                            rule is any MutatingRule ? "yes" : "no", native, rule.summary)
            }
            if !reasons.isEmpty {
                text += "\nWebhook only (no ValidatingAdmissionPolicy from `identity-guard policies`):\n"
                text += reasons.joined(separator: "\n") + "\n"
            }
            return text
        case .json:
            let list: [JSONValue] = rules.map { rule in
                [
                    "id": .string(rule.id.rawValue),
                    "kind": .string(rule.kind.rawValue),
                    "apiVersion": .string(rule.kind.apiVersion),
                    "defaultEnforcement": .string(rule.defaultEnforcement.rawValue),
                    "mutating": .bool(rule is any MutatingRule),
                    "summary": .string(rule.summary),
                    "native": nativeJSON((rule as? any NativeRule)?.nativeForm),
                ]
            }
            return JSONWriter.string(["rules": .array(list)], indentation: 2) + "\n"
        }
    }

    /// `{"available": true}`, or `{"available": false, "reason": …}`.
    private static func nativeJSON(_ form: NativeForm?) -> JSONValue {
        switch form {
        case .policy?: ["available": true]
        case .webhookOnly(let reason)?: ["available": false, "reason": .string(reason)]
        case nil: ["available": false, "reason": "no CEL form declared"]
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
