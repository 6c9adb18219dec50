public import ArgumentParser

/// Output formats of the listing commands.
public enum ListingFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}
