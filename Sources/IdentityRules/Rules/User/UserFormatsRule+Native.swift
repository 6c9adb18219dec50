extension UserFormatsRule: NativeRule {
    /// RFC 3339's grammar; the calendar (days per month, leap years) is checked apart.
    static let nativeDateTime = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:"
        + "([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    /// A port: 1 to 5 digits making 1…65535.
    static let nativePort = "(0{0,4}[1-9]|0{0,3}[1-9][0-9]|0{0,2}[1-9][0-9]{2}|0?[1-9][0-9]{3}|[1-5][0-9]{4}"
        + "|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
    /// `HTTPSURL`'s shape: `https://`, optional user info up to the authority's last `@`, a host (name characters
    /// or non-ASCII, or a bracketed literal), an optional port, then anything after `/`, `?` or `#`.
    static var nativeURL: String {
        "^[Hh][Tt][Tt][Pp][Ss]://([^/?#]*@)?(\\[[^\\]/?#@]+\\](:" + nativePort + ")?"
            + "|[A-Za-z0-9._%\\x{80}-\\x{10FFFF}-]+(:" + nativePort + ")?)([/?#].*)?$"
    }
    /// White space only (Unicode's White_Space), or empty.
    static let nativeBlank = "^[\\t-\\r\\x{85}\\p{Z}]*$"

    /// Groups are checked without a quadratic step: the non-blank strings are sorted once and neighbours
    /// compared, which stays inside the apiserver's per-expression cost limit (1,000,000) far past
    /// ``maximumGroups`` (50,000 groups measured); past the maximum only "Too many" is evaluated, as deploy/'s
    /// CRD's `maxItems` refuses them before any policy runs.
    public var nativeForm: NativeForm {
        let spec = "variables.spec"
        let time = "\(spec).last_login_time"
        let url = "\(spec).webhookUrl"
        let groups = "variables.groups"
        let named = "variables.namedGroups"
        let sorted = "variables.sortedGroups"
        let blank = NativeCEL.literal(Self.nativeBlank)
        let year = "int(\(time).substring(0, 4))"
        let leap = "(\(year) % 4 == 0 && \(year) % 100 != 0 || \(year) % 400 == 0)"
        let days = "[31, \(leap) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][int(\(time).substring(5, 7)) - 1]"
        let timeWords = "\(id.rawValue): spec.last_login_time: Invalid value: "
        let urlWords = "\(id.rawValue): spec.webhookUrl: Invalid value: must be an absolute https URL"
        let limit = Self.maximumGroups
        let within = "size(\(groups)) > \(limit)"
        return .policy(NativePolicy(
            variables: NativeCEL.userVariables + [
                NativeVariable("groups", "has(\(spec).groups) && type(\(spec).groups) == list ? \(spec).groups : []"),
                NativeVariable("groupStrings", "\(groups).filter(g, type(g) == string)"),
                NativeVariable("namedGroups", "variables.groupStrings.filter(g, !g.matches(\(blank)))"),
                NativeVariable("sortedGroups", "\(named).sort()"),
            ],
            validations: [
                NativeValidation(
                    "!(\(NativeCEL.isString(spec, "last_login_time"))) || \(time).matches("
                        + NativeCEL.literal(Self.nativeDateTime) + ") && int(\(time).substring(8, 10)) <= \(days)",
                    message: timeWords + "must be an RFC 3339 date-time such as \"2026-01-02T15:04:05Z\"",
                    messageExpression: NativeCEL.literal(timeWords + "\"") + " + \(time) + "
                        + NativeCEL.literal("\": must be an RFC 3339 date-time such as \"2026-01-02T15:04:05Z\"")
                ),
                NativeValidation(
                    "!(\(NativeCEL.isString(spec, "webhookUrl"))) || !\(url).matches('[\\\\p{Z}\\\\p{C}]')"
                        + " && \(url).matches(" + NativeCEL.literal(Self.nativeURL) + ")",
                    message: urlWords,
                    messageExpression: NativeCEL.literal(urlWords)
                ),
                NativeValidation(
                    "size(\(groups)) <= \(limit)",
                    message: "\(id.rawValue): spec.groups: Too many: must have at most \(limit) items",
                    messageExpression: NativeCEL.literal("\(id.rawValue): spec.groups: Too many: ")
                        + " + string(size(\(groups))) + ': must have at most \(limit) items'"
                ),
                NativeValidation(
                    "\(within) || size(\(named)) == size(variables.groupStrings)",
                    message: "\(id.rawValue): spec.groups: Invalid value: must not be empty",
                    messageExpression: NativeCEL.literal("\(id.rawValue): spec.groups[") + " + string(\(groups)"
                        + ".indexOf(variables.groupStrings.filter(g, g.matches(\(blank)))[0])) + "
                        + NativeCEL.literal("]: Invalid value: must not be empty")
                ),
                NativeValidation(
                    "\(within) || size(\(sorted)) < 2"
                        + " || lists.range(size(\(sorted)) - 1).all(i, \(sorted)[i] != \(sorted)[i + 1])",
                    message: "\(id.rawValue): spec.groups: Duplicate value",
                    messageExpression: NativeCEL.literal("\(id.rawValue): spec.groups: Duplicate value: \"")
                        + " + lists.range(size(\(sorted)) - 1).filter(i, \(sorted)[i] == \(sorted)[i + 1])"
                        + ".map(i, \(sorted)[i])[0] + '\"'"
                ),
            ]
        ))
    }
}
