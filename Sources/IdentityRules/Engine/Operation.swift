/// The admission operation a rule is evaluated for.
public enum Operation: String, Sendable, Hashable, CaseIterable {
    case create = "CREATE"
    case update = "UPDATE"
    case delete = "DELETE"
    case connect = "CONNECT"
}
