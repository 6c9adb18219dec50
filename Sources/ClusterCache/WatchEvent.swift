public import KubeJSON

/// One event of a watch stream, as the API server sends it (one JSON object per line).
public enum WatchEvent: Sendable {
    case added(JSONObject)
    case modified(JSONObject)
    case deleted(JSONObject)
    /// Only advances the resourceVersion.
    case bookmark(resourceVersion: String)
    /// An `ERROR` event carrying a Status (code 410: the resourceVersion is too old).
    case error(code: Int, message: String)
}
