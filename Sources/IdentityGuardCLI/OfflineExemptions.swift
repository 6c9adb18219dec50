import IdentityRules
import KubeJSON

/// What `check`, `mutate` and `audit` say once about exemptions they cannot apply: there is no request offline,
/// so an entry that selects on requesters never matches there.
enum OfflineExemptions {
    /// One `note:` line per exemption that names requesters or requester groups; empty when there is none.
    static func notes(_ configuration: RuleConfiguration) -> String {
        configuration.exemptions.filter(\.needsRequester).map { exemption in
            "identity-guard: note: exemption \(GoQuote.quote(exemption.name)) selects on requesters and does not "
                + "apply offline (there is no request)\n"
        }.joined()
    }
}
