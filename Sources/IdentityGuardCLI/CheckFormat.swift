public import ArgumentParser

/// `check --format`: a line per finding for people, JSON for scripts, SARIF for code scanning, JUnit for CI.
public enum CheckFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
    case sarif
    case junit
}
