import SystemSupport

/// The `Date` header of the current second (RFC 9110's IMF-fixdate), made once per second on each event loop
/// thread (no lock).
enum HTTPDateHeader {
    private static let text = PerSecondText { $0.imfFixdate }

    static var now: String { text.now }
}
