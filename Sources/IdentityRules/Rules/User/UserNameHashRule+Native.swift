extension UserNameHashRule: NativeRule {
    public static let nativeUnavailableReason = "needs MD5: CEL has no hash functions"

    public var nativeForm: NativeForm { .webhookOnly(reason: Self.nativeUnavailableReason) }
}
