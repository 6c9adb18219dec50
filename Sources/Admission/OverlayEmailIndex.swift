import IdentityRules

/// An email index with one more holder on top of another index: how an admission whose email
/// ``IdentityRules/EmailClaims`` gave to another User is evaluated again, so that it is denied exactly like any
/// other duplicate.
struct OverlayEmailIndex: EmailIndex {
    let base: any EmailIndex
    let normalizedEmail: String
    let holder: EmailHolder

    init(base: any EmailIndex, normalizedEmail: String, holder: EmailHolder) {
        self.base = base
        self.normalizedEmail = normalizedEmail
        self.holder = holder
    }

    func holders(ofNormalizedEmail email: String) -> [EmailHolder] {
        let holders = base.holders(ofNormalizedEmail: email)
        guard email == normalizedEmail, !holders.contains(where: { $0.name == holder.name }) else { return holders }
        return holders + [holder]
    }

    func containsUser(named name: String) -> Bool {
        base.containsUser(named: name)
    }
}
