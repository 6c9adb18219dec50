import ArgumentParser

/// A duration on the command line: a whole number with a unit, `30s`, `10m`, `1h` (at least one second).
struct DurationArgument: ExpressibleByArgument, Sendable, Hashable {
    var duration: Duration

    init?(argument: String) {
        guard let unit = argument.last, let value = Int64(argument.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": duration = .seconds(value)
        case "m": duration = .seconds(value * 60)
        case "h": duration = .seconds(value * 3_600)
        default: return nil
        }
    }
}
