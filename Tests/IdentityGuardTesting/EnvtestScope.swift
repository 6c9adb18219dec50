import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs a suite with one real control plane (``EnvtestControlPlane``), started before its first test and
/// stopped, with its data removed, after its last: one per suite, not per test.
///
/// Tests reach it as ``current``. A suite using it is skipped, with one line saying how to enable it, when
/// `KUBEBUILDER_ASSETS` is not set — unless the suites are required (``EnvtestControlPlane/isRequired``, in CI):
/// then it fails.
package struct EnvtestScope: SuiteTrait, TestScoping {
    @TaskLocal package static var current: EnvtestControlPlane?

    package var isRecursive: Bool { false }

    package func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        // One control plane at a time: an apiserver and etcd starting beside another pair on two cores starve
        // every other test of the run.
        await EnvtestSlot.shared.acquire()
        let plane: EnvtestControlPlane
        do {
            plane = try await EnvtestControlPlane.start()
        } catch {
            await EnvtestSlot.shared.release()
            throw error
        }
        do {
            try await Self.$current.withValue(plane) { try await function() }
        } catch {
            await plane.stop()
            await EnvtestSlot.shared.release()
            throw error
        }
        await plane.stop()
        await EnvtestSlot.shared.release()
    }

    /// The running control plane; fails the test when the suite did not start one. Each test that asks is
    /// written to the file `ENVTEST_TALLY` names, if set: `.ci/run` counts the tests that ran against a real
    /// apiserver from it.
    package static func plane() throws -> EnvtestControlPlane {
        guard let current else { throw TestFailure("no control plane: the suite needs the .envtest trait") }
        if let tally = ProcessInfo.processInfo.environment["ENVTEST_TALLY"], let test = Test.current {
            let line = Array("\(test.id)\n".utf8)
            let descriptor = open(tally, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            if descriptor >= 0 {
                _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                close(descriptor)
            }
        }
        return current
    }
}

extension Trait where Self == EnvtestScope {
    /// One real kube-apiserver and etcd for the whole suite.
    package static var envtest: Self { EnvtestScope() }
}

/// Lets one suite at a time run a control plane; the others wait their turn.
actor EnvtestSlot {
    static let shared = EnvtestSlot()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
