public import ArgumentParser
public import IdentityRules
import KubeJSON

/// `identity-guard rules`: every rule with its id, kind, default enforcement and one-line summary.
public struct RulesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every rule: id, kind, default enforcement, summary."
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
            func row(_ id: String, _ kind: String, _ enforcement: String, _ mutating: String, _ summary: String)
                -> String
            {
                pad(id, idWidth) + "  " + pad(kind, kindWidth) + "  " + pad(enforcement, 7) + "  "
                    + pad(mutating, 8) + "  " + summary + "\n"
            }
            var text = row("RULE", "KIND", "DEFAULT", "MUTATES", "SUMMARY")
            for rule in rules {
                text += row(rule.id.rawValue, rule.kind.rawValue, rule.defaultEnforcement.rawValue,
                            rule is any MutatingRule ? "yes" : "no", rule.summary)
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
                ]
            }
            return JSONWriter.string(["rules": .array(list)], indentation: 2) + "\n"
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
