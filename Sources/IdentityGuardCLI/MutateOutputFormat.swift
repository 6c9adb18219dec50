public import ArgumentParser

/// `mutate --output`: the mutated documents as a YAML stream or as JSON.
public enum MutateOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case yaml
    case json
}
