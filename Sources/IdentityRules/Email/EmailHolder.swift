/// A User holding an email, and where it was seen, so that a clash names the other place.
///
/// The webhook's holders come from the one cluster it serves and carry no origin (the message names the
/// User); the offline checker's come from files (`users/bob.yaml:7:3`) or, with `check --kubeconfig`, from a
/// cluster.
public struct EmailHolder: Sendable, Hashable {
    /// Where a holder was seen.
    public enum Origin: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// A document in a file, at the position of its `spec.email` (or of the document).
        case file(path: String, line: Int, column: Int)
        /// A User stored in a cluster.
        case cluster

        public var description: String {
            switch self {
            case .file(let path, let line, let column): "\(path):\(line):\(column)"
            case .cluster: "cluster"
            }
        }
    }

    /// The User's `metadata.name`.
    public var name: String
    public var origin: Origin?

    public init(name: String, origin: Origin? = nil) {
        self.name = name
        self.origin = origin
    }
}
