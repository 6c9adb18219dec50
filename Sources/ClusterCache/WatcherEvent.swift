public import KubeJSON

/// What a ``Watcher`` tells its consumer, kube-rs' `watcher::Event` vocabulary.
///
/// A (re)list is `initStarted`, one `initApply` per object, then `initDone`: the consumer builds its new state
/// from the `initApply`s and swaps it in at `initDone`, so a relist after `410 Gone` replaces what it knew.
/// Between lists, `apply` and `delete` follow the watch.
public enum WatcherEvent: Sendable {
    /// A list starts (the first, or a relist after 410, an expired continue token, or a failure).
    case initStarted
    /// An object of the list in progress.
    case initApply(JSONObject)
    /// The list is complete: everything not applied since `initStarted` is gone.
    case initDone
    /// An object was added or modified.
    case apply(JSONObject)
    /// An object was deleted.
    case delete(JSONObject)
}
