import IdentityGuardTesting
import Foundation

/// A temporary directory of manifest files for `check` and `mutate` tests, and a way to run the executable in
/// it with standard input.
struct ManifestFixtures {
    let directory: String

    init(_ files: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("identity-guard-tests-\(UUID().uuidString)").path
        for (name, text) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    /// `text` with this directory's absolute prefix removed, so that in-process output compares with the
    /// subprocess's relative names.
    func relative(_ text: String) -> String { text.replacing(directory + "/", with: "") }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs the built executable in this directory.
    func run(_ arguments: [String], standardInput: String? = nil) throws -> Subprocess.Result {
        try Subprocess.run(Subprocess.identityGuard.path, arguments, in: URL(fileURLWithPath: directory),
                           standardInput: standardInput)
    }

    static let alice = """
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: alice
        spec:
          email: alice@example.com
          state: sleeping

        """

    static let bob = """
        # bob shares alice's email, and keeps a plain-text password
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: bob
        spec:
          email: Alice@Example.com
          password: hunter2
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings

        """

    static let carol = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: auth.alauda.io/v1
          kind: User
          metadata:
            name: carol
          spec:
            email: carol@example.com
            password: x
            state: disabled
        - apiVersion: user.openshift.io/v1
          kind: Identity
          metadata:
            name: github:carol
          providerName: github
          providerUserName: carol
          user:
            name: carol
            uid: "42"

        """

    static let clean = """
        apiVersion: auth.alauda.io/v1
        kind: User
        metadata:
          name: dave
        spec:
          email: dave@example.com

        """
}
