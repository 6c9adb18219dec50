public import ArgumentParser
import Foundation
import IdentityRules
import Manifests
import KubeJSON

/// `identity-guard mutate`: the documents with the mutating rules applied, as the mutating webhook would patch
/// them (README, "Offline check"): deprecated passwords removed, `state`/`is_disabled` filled from each other.
///
/// Prints the documents (YAML, or JSON with `--output json`), or with `--in-place` rewrites each file that
/// changes, atomically, leaving the others untouched.
public struct MutateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mutate",
        abstract: "Print (or rewrite in place) manifests with the mutating rules applied.",
        discussion: """
            PATH is a file, a directory (read recursively: *.yaml, *.yml, *.json) or - for standard input. \
            Without --in-place every document is printed to standard output, changed or not. With --in-place \
            each file with a change is replaced atomically (temporary file + rename); only the changed documents \
            are rewritten, files with nothing to change are not touched, and nothing is written when a file is \
            read-only. What changed is listed on standard error. Exit status: 0 done, 2 an input, argument or \
            file write failed.
            """
    )

    @Argument(help: "Files, directories or - (standard input).")
    public var paths: [String] = []

    @Option(help: "Output format: yaml or json (without --in-place).")
    public var output: MutateOutputFormat?

    @Flag(name: .customLong("in-place"), help: "Rewrite the files instead of printing them.")
    public var inPlace = false

    @Option(help: "YAML file with per-rule enforcement: rules: { RULE-ID: deny | warn | off }.")
    public var config: String?

    @Option(name: .customLong("max-file-bytes"), help: "Largest file (or standard input) read, in bytes.")
    public var maxFileBytes: Int = ManifestLoader.defaultMaximumFileBytes

    public init() {}

    public func validate() throws {
        guard !paths.isEmpty else {
            throw ValidationError("give at least one PATH: a file, a directory, or - for standard input")
        }
        if inPlace && paths.contains("-") { throw ValidationError("--in-place cannot rewrite standard input") }
        if inPlace && output != nil {
            throw ValidationError("--output has no effect with --in-place: files keep their own syntax")
        }
    }

    public func run() async throws {
        try CommandOutput.emit(await Self.execute(paths: paths, output: output ?? .yaml, inPlace: inPlace,
                                                  configurationFile: config, maximumFileBytes: maxFileBytes))
    }

    /// Runs a mutation and returns what it prints and its exit status.
    public static func execute(
        paths: [String],
        output: MutateOutputFormat = .yaml,
        inPlace: Bool = false,
        configurationFile: String? = nil,
        maximumFileBytes: Int? = nil,
        standardInput: (@Sendable () -> [UInt8])? = nil
    ) async -> CommandOutcome {
        let configuration: RuleConfiguration
        do {
            configuration = try configurationFile.map(RuleConfigurationFile.load) ?? .defaults
        } catch {
            return CommandOutcome(standardError: "identity-guard: \(error.description)\n", status: 2)
        }
        let loader = ManifestLoader(maximumFileBytes: maximumFileBytes ?? ManifestLoader.defaultMaximumFileBytes)
        let files = await loader.load(paths, standardInput: standardInput ?? ManifestLoader.readStandardInput)
        let mutator = ManifestMutator(engine: RuleEngine(configuration: configuration))
        var outcome = CommandOutcome(standardError: OfflineExemptions.notes(configuration))
        var mutated: [MutatedFile] = []
        for file in files {
            if let error = file.error {
                outcome.standardError += "\(error.description)\n"
                outcome.status = 2
                continue
            }
            let result = mutator.mutate(file)
            for change in result.changes {
                let rules = change.mutations.map(\.ruleID.rawValue).joined(separator: ", ")
                outcome.standardError += "\(file.name):\(change.position): \(rules): \(change.summary)\n"
            }
            for document in result.exempted {
                for exemption in document.exemptions {
                    let rules = exemption.rules.map(\.rawValue).joined(separator: ", ")
                    outcome.standardError += "\(file.name):\(document.position): \(rules): not applied "
                        + "(exempted by \(GoQuote.quote(exemption.name)))\n"
                }
            }
            mutated.append(result)
        }
        if inPlace {
            write(mutated, into: &outcome)
        } else {
            outcome.standardOutput = render(mutated.flatMap(\.values), output: output)
        }
        return outcome
    }

    /// The documents as a YAML stream, or as JSON: the object itself when there is one, else a `v1` List.
    static func render(_ values: [JSONValue], output: MutateOutputFormat) -> String {
        switch output {
        case .yaml:
            return YAMLEmitter.stream(values)
        case .json:
            if values.isEmpty { return "" }
            let value: JSONValue = values.count == 1
                ? values[0] : ["apiVersion": "v1", "kind": "List", "items": .array(values)]
            return JSONWriter.string(value, indentation: 2) + "\n"
        }
    }

    /// Rewrites the changed files, or none of them when one cannot be written.
    private static func write(_ files: [MutatedFile], into outcome: inout CommandOutcome) {
        let changed = files.filter(\.isChanged)
        let readOnly = changed.compactMap(\.file.path).filter { !isWritable($0) }
        if !readOnly.isEmpty {
            for path in readOnly { outcome.standardError += "\(path): the file is read-only; nothing was changed\n" }
            outcome.status = 2
            return
        }
        var written = 0
        for file in changed {
            guard let path = file.file.path else { continue }
            do {
                try AtomicFileWriter.write(file.rewrittenText, to: path)
                written += 1
            } catch {
                outcome.standardError += "\(error.description)\n"
                outcome.status = 2
            }
        }
        outcome.standardError += "\(written) files rewritten, \(files.count - changed.count) unchanged\n"
    }

    private static func isWritable(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let permissions = (attributes?[.posixPermissions] as? NSNumber)?.uint16Value ?? 0
        return permissions & 0o200 != 0 && FileManager.default.isWritableFile(atPath: path)
    }
}
