/// Where a manifest comes from: a file on disk or standard input.
public enum ManifestSource: Sendable, Hashable {
    case file(String)
    case standardInput

    /// The name used in output.
    public var name: String {
        switch self {
        case .file(let path): path
        case .standardInput: "stdin"
        }
    }
}
