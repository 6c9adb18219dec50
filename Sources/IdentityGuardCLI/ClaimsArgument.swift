import ArgumentParser

/// `serve --claims`.
enum ClaimsArgument: String, ExpressibleByArgument, CaseIterable {
    case lease
    case local
}
