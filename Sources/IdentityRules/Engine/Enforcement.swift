/// What happens when a rule is broken: deny the request, allow it with a warning, or not check at all.
public enum Enforcement: String, Sendable, Hashable, CaseIterable, Comparable {
    case off
    case warn
    case deny

    public static func < (lhs: Enforcement, rhs: Enforcement) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int {
        switch self {
        case .off: 0
        case .warn: 1
        case .deny: 2
        }
    }
}
