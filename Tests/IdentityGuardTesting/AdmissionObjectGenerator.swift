import KubeJSON

/// Random edits of valid Users and Identities, the same for the same seed: the corpus of the native-policy
/// differential (the webhook and the generated policies must decide each object alike).
///
/// Each object starts valid and gets zero to three edits drawn from what the rules look at: every field's
/// boundary values (email length and shape, states, RFC 3339 calendars, https URLs with odd authorities),
/// wrong JSON types, nulls, absent fields, unknown fields, passwords to scrub, state/is_disabled pairs to fill
/// or contradict, blank, duplicate and canonically-equivalent groups. Names are unique per generator call so
/// that dry runs never collide.
package struct AdmissionObjectGenerator {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    /// SplitMix64: small, fast, and the same on every platform.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    private mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    private mutating func pick<T>(_ choices: [T]) -> T {
        choices[below(choices.count)]
    }

    // MARK: Users

    /// `count` Users named `prefix-N`.
    package mutating func users(_ count: Int, prefix: String = "u") -> [JSONValue] {
        (0..<count).map { index in
            var spec = validUserSpec(index)
            let edits = pick([0, 1, 1, 1, 2, 2, 3])
            var topLevel: [String: JSONValue?] = [:]
            for _ in 0..<edits { editUser(&spec, &topLevel, index) }
            var metadata: JSONValue = ["name": .string("\(prefix)-\(index)")]
            if below(3) == 0 { metadata = metadata.adding("labels", ["migration": pick(["true", "true", "false"])]) }
            var object = JSONObject([
                .init(key: "apiVersion", value: "auth.alauda.io/v1"),
                .init(key: "kind", value: "User"),
                .init(key: "metadata", value: metadata),
            ])
            if let spec { object["spec"] = spec }
            for (key, value) in topLevel.sorted(by: { $0.key < $1.key }) {
                object[key] = value
            }
            return .object(object)
        }
    }

    private mutating func validUserSpec(_ index: Int) -> JSONValue? {
        let states = ["active", "disabled", "locked", "invalid"]
        let state = pick(states)
        var spec = JSONObject([
            .init(key: "email", value: .string(pick(["user\(index)@example.com", "User.\(index)@Corp.Example.ORG",
                                                    "user\(index)", "名前\(index)@例え.jp"]))),
            .init(key: "username", value: .string("user\(index)")),
            .init(key: "state", value: .string(state)),
            .init(key: "is_disabled", value: .bool(state == "disabled")),
        ])
        if below(2) == 0 { spec["groups"] = .array((0..<below(5)).map { .string("group-\($0)") }) }
        if below(2) == 0 { spec["connector_type"] = .string(pick(["ldap", "oidc", "local"])) }
        if below(2) == 0 { spec["last_login_time"] = .string(pick(["2026-01-02T15:04:05Z",
                                                                   "2024-02-29T23:59:60.123+08:00"])) }
        if below(3) == 0 { spec["webhookUrl"] = .string(pick(["https://hooks.example.com/t?k=1",
                                                              "HTTPS://[::1]:8443/x", "https://例え.jp"])) }
        if below(3) == 0 { spec["continuity_errors"] = .integer(Int64(below(4))) }
        if below(4) == 0 { spec["extra"] = ["team": "platform"] }
        if below(4) == 0 { spec["ids"] = [["kind": "ldap", "id": .string("cn=\(index)")]] }
        if below(4) == 0 { spec["is_admin"] = .bool(below(2) == 0) }
        return .object(spec)
    }

    private mutating func editUser(_ spec: inout JSONValue?, _ topLevel: inout [String: JSONValue?], _ index: Int) {
        guard case .object(var members)? = spec else {
            if below(2) == 0 { spec = validUserSpec(index) }
            return
        }
        let choice = below(16)
        switch choice {
        case 0:
            members["email"] = pick([
                "", " ", "a b@example.com", "tab\t@example.com", "no-at-sign", "a@", "@example.com",
                .string(String(repeating: "x", count: 65) + "@example.com"),
                .string(String(repeating: "x", count: 64) + "@example.com"),
                .string(String(repeating: "y", count: 254)), .string(String(repeating: "y", count: 255)),
                "a@-bad-.com", "a@exa_mple.com", "a@@example.com", "a@example..com", "zero\u{200B}width@example.com",
                "ü@exämple.de", "a@b", 42, .null, true,
            ])
        case 1:
            members["email"] = nil
        case 2:
            members["state"] = pick(["sleeping", "Active", "", 5, .null, "disabled", "active", "locked"])
        case 3:
            members["is_disabled"] = pick([true, false, "yes", .null, 0])
        case 4:
            members[pick(["state", "is_disabled"])] = nil
        case 5:
            members[pick(["password", "old_password"])] = pick(["hunter2", .null, "", 12345])
        case 6:
            members["groups"] = pick([
                ["a", "a"], ["a", "  "], ["\u{2003}"], ["caf\u{E9}", "cafe\u{301}"], ["b", "a", "b", "a"],
                [1, "a"], "admins", [], ["a", .null], .array((0..<300).map { .string("g\($0 % 290)") }),
            ])
        case 7:
            members["webhookUrl"] = pick([
                "http://hooks.example.com", "https://", "https://h:99999/x", "https://h:0", "https://[::1]:8443",
                "ftp://x", " https://x.example.com", "https://x.example.com/a b", 5, "https://u:p@h.example.com",
            ])
        case 8:
            members["last_login_time"] = pick([
                "2026-02-29T00:00:00Z", "2024-02-29T10:00:00+01:00", "2026-13-01T00:00:00Z", "yesterday",
                "2026-01-02t15:04:05z", "2026-01-02 15:04:05Z", "2026-04-31T00:00:00Z", "1900-02-29T00:00:00Z",
                "2000-02-29T00:00:00Z", 1_700_000_000,
            ])
        case 9:
            members["continuity_errors"] = pick([-1, .float(literal: "2.0"), .float(literal: "2.5"), "3", .null,
                                                 .float(literal: "-0.0"), 9_007_199_254_740_993])
        case 10:
            members[pick(["nickname", "Email", "groups2"])] = pick(["x", 1, ["a"]])
        case 11:
            members[pick(["extra", "expired", "ids", "is_admin", "account"])] = pick(["text", [1], ["k": 1], 3, .null])
        case 12:
            spec = pick(["x", [1], .null])
            return
        case 13:
            spec = nil
            return
        case 14:
            topLevel[pick(["status", "extraTopLevel"])] = pick([["phase": "x"], "text"])
        default:
            members["state"] = "disabled"
            members["is_disabled"] = pick([false, true, .null])
        }
        spec = .object(members)
    }

    // MARK: Identities

    /// `count` Identities. Their names are DNS-1123 (a custom resource's names must be), so `identity.name`
    /// (which wants `providerName:providerUserName`) refuses nearly all of them, in both modes.
    package mutating func identities(_ count: Int, prefix: String = "i") -> [JSONValue] {
        (0..<count).map { index in
            var object = JSONObject([
                .init(key: "apiVersion", value: "user.openshift.io/v1"),
                .init(key: "kind", value: "Identity"),
                .init(key: "metadata", value: ["name": .string("\(prefix)-\(index)")]),
                .init(key: "providerName", value: "github"),
                .init(key: "providerUserName", value: .string("alice\(index)")),
                .init(key: "user", value: ["name": .string("alice\(index)"), "uid": .string("uid-\(index)")]),
            ])
            for _ in 0..<pick([0, 1, 1, 2]) { editIdentity(&object, index) }
            return .object(object)
        }
    }

    private mutating func editIdentity(_ object: inout JSONObject, _ index: Int) {
        switch below(8) {
        case 0: object["providerName"] = pick(["", "a/b", "..", "a%b", 5, .null, "gitlab"])
        case 1: object["providerUserName"] = pick(["", "~", "a:b", "x/y", .null, "bob"])
        case 2: object["user"] = pick([.null, [:], ["name": ""], ["uid": "u"], ["name": "n"], "text",
                                       ["name": "~", "uid": "u"], ["name": "n", "uid": "u", "bogus": "x"]])
        case 3: object["extra"] = pick([["k": "v"], ["k": 1], "text"])
        case 4: object["providerName"] = nil; object["providerUserName"] = nil
        case 5: object[pick(["bogus", "spec"])] = pick(["x", ["a": 1]])
        case 6: object["user"] = nil
        default: object["providerUserName"] = .string("alice\(index)")
        }
    }

    // MARK: Updates

    /// Valid objects to store first (no admission registered), then to update: Users named `prefix-N` (a third
    /// labelled `migration: "true"`) and Identities named `i-1prefix-N` (a name an exemption from identity.name may
    /// cover, so that their updates reach identity.immutable).
    package mutating func bases(_ count: Int, prefix: String = "b") -> [JSONValue] {
        var users = (0..<count).map { index -> JSONValue in
            var metadata: JSONValue = ["name": .string("\(prefix)-\(index)")]
            if index % 3 == 0 { metadata = metadata.adding("labels", ["migration": "true"]) }
            return ["apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": metadata,
                    "spec": validUserSpec(index) ?? [:]]
        }
        users += (0..<max(1, count / 3)).map { index in
            ["apiVersion": "user.openshift.io/v1", "kind": "Identity",
             "metadata": ["name": .string("i-1\(prefix)-\(index)")], "providerName": "github",
             "providerUserName": .string("alice\(index)"),
             "user": ["name": .string("alice\(index)"), "uid": .string("uid-\(index)")]]
        }
        return users
    }

    /// `stored` with one or two edits, for an UPDATE: the same edits as for creates, plus dropping the labels
    /// (an exemption reads the stored object's).
    package mutating func edited(_ stored: JSONValue, index: Int) -> JSONValue {
        guard var object = stored.objectValue else { return stored }
        let edits = pick([1, 1, 2])
        if object["kind"] == "Identity" {
            for _ in 0..<edits { editIdentity(&object, index) }
            return .object(object)
        }
        var spec = object["spec"]
        var topLevel: [String: JSONValue?] = [:]
        for _ in 0..<edits {
            if below(8) == 0, var metadata = object["metadata"]?.objectValue {
                metadata["labels"] = nil
                object["metadata"] = .object(metadata)
            } else {
                editUser(&spec, &topLevel, index)
            }
        }
        object["spec"] = spec
        for (key, value) in topLevel.sorted(by: { $0.key < $1.key }) { object[key] = value }
        return .object(object)
    }
}
