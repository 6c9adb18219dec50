/// What a command printed and how it exits: lets tests run `check` and `mutate` in process and compare the
/// exact output and status with what the executable does.
public struct CommandOutcome: Sendable, Hashable {
    public var standardOutput: String
    public var standardError: String
    public var status: Int32

    public init(standardOutput: String = "", standardError: String = "", status: Int32 = 0) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.status = status
    }
}
