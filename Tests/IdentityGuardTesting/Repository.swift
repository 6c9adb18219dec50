import KubeJSON
import Foundation
import IdentityRules
import Manifests
import Testing
import Yams

/// The repository, and `kubectl kustomize` output as engine values.
package enum Repository {
    package static let root = Subprocess.repositoryRoot

    /// Every object `kubectl kustomize DIRECTORY` renders.
    package static func kustomize(_ directory: String) throws -> [JSONValue] {
        let result = try Subprocess.run("kubectl", ["kustomize", directory])
        #expect(result.status == 0, "kubectl kustomize \(directory) failed: \(result.standardError)")
        return try Yams.compose_all(yaml: result.standardOutput).map(YAMLValueConverter.jsonValue(from:))
    }

    package static func object(_ objects: [JSONValue], kind: String, name: String? = nil) throws -> JSONValue {
        try #require(objects.first { $0["kind"]?.stringValue == kind
            && (name == nil || $0["metadata"]?["name"]?.stringValue == name) }, "no \(kind) \(name ?? "")")
    }
}
