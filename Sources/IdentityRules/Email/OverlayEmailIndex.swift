/// An email index with one more holder on top of another index: how a claim lost to another replica is
/// evaluated again, so that it is denied exactly like any other duplicate.
public struct OverlayEmailIndex: EmailIndex {
    public let base: any EmailIndex
    public let normalizedEmail: String
    public let holder: EmailHolder

    public init(base: any EmailIndex, normalizedEmail: String, holder: EmailHolder) {
        self.base = base
        self.normalizedEmail = normalizedEmail
        self.holder = holder
    }

    public func holders(ofNormalizedEmail email: String) -> [EmailHolder] {
        let holders = base.holders(ofNormalizedEmail: email)
        guard email == normalizedEmail, !holders.contains(where: { $0.name == holder.name }) else { return holders }
        return holders + [holder]
    }

    public func containsUser(named name: String) -> Bool {
        base.containsUser(named: name)
    }
}
