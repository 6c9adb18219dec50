extension IdentityUserExistsRule: NativeRule {
    public static let nativeUnavailableReason = "needs the other Users: a policy sees one object"

    public var nativeForm: NativeForm { .webhookOnly(reason: Self.nativeUnavailableReason) }
}
