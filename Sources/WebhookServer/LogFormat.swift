/// How log lines look: one JSON object per line (for log pipelines) or `key=value` text (for people).
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text
}
