/// The release identity-guard reports in `version`, `--version` and logs.
public enum IdentityGuardVersion {
    public static let current = "0.1.0"
}
