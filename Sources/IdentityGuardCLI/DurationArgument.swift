import ArgumentParser

/// A duration on the command line: a whole number with a unit, `30s`, `10m`, `1h`; zero (`0s`) only where
/// the option allows it.
struct DurationArgument: ExpressibleByArgument, Sendable, Hashable {
    var duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        guard let unit = argument.last, let value = Int64(argument.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "s": duration = .seconds(value)
        case "m": duration = .seconds(value * 60)
        case "h": duration = .seconds(value * 3_600)
        default: return nil
        }
    }

    var isZero: Bool { duration == .zero }

    /// Whole seconds, in the largest unit that divides them (what `--help` shows as the default).
    var defaultValueDescription: String {
        let seconds = duration.components.seconds
        if seconds != 0 && seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds != 0 && seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
