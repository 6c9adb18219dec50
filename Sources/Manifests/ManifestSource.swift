/// Where a manifest comes from: a file on disk or standard input.
public enum ManifestSource: Sendable, Hashable {
    case file(String)
    case standardInput
}
