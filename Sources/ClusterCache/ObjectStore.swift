public import KubeJSON
import NIOConcurrencyHelpers

/// The objects of one kind as the cluster stores them, kept by name and swapped whole at each list: what the
/// periodic audit reads instead of listing again.
///
/// Holding whole objects costs memory (a User is ~1–3 KB once `managedFields` are skipped), so only `serve
/// --audit-interval` keeps one; the email index alone keeps names and emails.
public final class ObjectStore: Sendable {
    private let objects = NIOLockedValueBox<[String: JSONObject]>([:])
    private let pending = NIOLockedValueBox<[String: JSONObject]>([:])

    public init() {}

    /// Every object, in no particular order.
    public var snapshot: [JSONObject] { objects.withLockedValue { Array($0.values) } }

    public var count: Int { objects.withLockedValue { $0.count } }

    /// Applies one watcher event.
    public func apply(_ event: WatcherEvent) {
        switch event {
        case .initStarted:
            pending.withLockedValue { $0 = [:] }
        case .initApply(let object):
            guard let name = Self.name(of: object) else { return }
            pending.withLockedValue { $0[name] = object }
        case .initDone:
            let listed = pending.withLockedValue { pending in
                defer { pending = [:] }
                return pending
            }
            objects.withLockedValue { $0 = listed }
        case .apply(let object):
            guard let name = Self.name(of: object) else { return }
            objects.withLockedValue { $0[name] = object }
        case .delete(let object):
            guard let name = Self.name(of: object) else { return }
            objects.withLockedValue { $0[name] = nil }
        }
    }

    private static func name(of object: JSONObject) -> String? {
        object["metadata"]?["name"]?.stringValue
    }
}
