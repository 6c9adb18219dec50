import Testing

/// Runs a suite with one real control plane (``EnvtestControlPlane``), started before its first test and
/// stopped, with its data removed, after its last: one per suite, not per test.
///
/// Tests reach it as ``current``. A suite using it is skipped, with one line saying how to enable it, when
/// `KUBEBUILDER_ASSETS` is not set.
package struct EnvtestScope: SuiteTrait, TestScoping {
    @TaskLocal package static var current: EnvtestControlPlane?

    package var isRecursive: Bool { false }

    package func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let plane = try await EnvtestControlPlane.start()
        do {
            try await Self.$current.withValue(plane) { try await function() }
        } catch {
            await plane.stop()
            throw error
        }
        await plane.stop()
    }

    /// The running control plane; fails the test when the suite did not start one.
    package static func plane() throws -> EnvtestControlPlane {
        guard let current else { throw TestFailure("no control plane: the suite needs the .envtest trait") }
        return current
    }
}

extension Trait where Self == EnvtestScope {
    /// One real kube-apiserver and etcd for the whole suite.
    package static var envtest: Self { EnvtestScope() }
}
