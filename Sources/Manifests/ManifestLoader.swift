import Foundation
public import IdentityRules
import KubeJSON

/// Turns the paths a user gives into files and documents: directories walked, YAML parsed with positions,
/// `kind: List` expanded.
///
/// A path that is missing, unreadable or not valid YAML becomes a ``ManifestFile`` with an ``InputError``
/// and the other files are still read, so that one bad file does not hide the findings in the others. Files
/// are parsed in parallel (YAML composition is most of the cost of a check) and returned in input order.
public struct ManifestLoader: Sendable {
    /// The extensions a directory walk picks up; a file named explicitly is read whatever its name.
    public static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// The default of ``maximumFileBytes`` (`--max-file-bytes`): 64 MiB, some 100,000 Users in one file.
    public static let defaultMaximumFileBytes = 64 * 1024 * 1024

    /// How many files are parsed at once.
    public var concurrency: Int
    /// The largest file (or standard input) read; a larger one is an unusable input, read no further than
    /// one byte past the limit (so `/dev/zero` or an endless pipe is refused too).
    public var maximumFileBytes: Int

    /// - Parameters:
    ///   - concurrency: files parsed at once; nil for one per active processor.
    ///   - maximumFileBytes: the largest file read.
    public init(concurrency: Int? = nil, maximumFileBytes: Int = ManifestLoader.defaultMaximumFileBytes) {
        self.concurrency = max(1, concurrency ?? ProcessInfo.processInfo.activeProcessorCount)
        self.maximumFileBytes = max(0, maximumFileBytes)
    }

    /// Everything on standard input.
    public static func readStandardInput() -> [UInt8] {
        Array(FileHandle.standardInput.readDataToEndOfFile())
    }

    /// The sources `paths` name, in order: files as given, directories walked recursively in path order, `-` for
    /// standard input; a path that does not exist is an error in its place.
    public static func sources(for paths: [String]) -> [Result<ManifestSource, InputError>] {
        var sources: [Result<ManifestSource, InputError>] = []
        for path in paths {
            if path == "-" {
                sources.append(.success(.standardInput))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                sources.append(.failure(InputError(.notFound, file: path, message: "no such file or directory")))
                continue
            }
            guard isDirectory.boolValue else {
                sources.append(.success(.file(path)))
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { base + "/" + $0 }
                .filter { candidate in
                    var directory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: candidate, isDirectory: &directory)
                        && !directory.boolValue
                }
                .sorted()
            sources.append(contentsOf: found.map { .success(.file($0)) })
        }
        return sources
    }

    /// Every file `paths` name, read and parsed, in order. `progress` is called after each file with the
    /// number done and the total.
    public func load(
        _ paths: [String],
        standardInput: @escaping @Sendable () -> [UInt8] = ManifestLoader.readStandardInput,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async -> [ManifestFile] {
        let sources = Self.sources(for: paths)
        var files = [ManifestFile?](repeating: nil, count: sources.count)
        // Standard input is read here, once, before the parallel part.
        var standardInputBytes: [UInt8]?
        if sources.contains(where: { (try? $0.get()) == .standardInput }) { standardInputBytes = standardInput() }
        let stdinBytes = standardInputBytes
        let limit = maximumFileBytes
        await withTaskGroup(of: (Int, ManifestFile).self) { group in
            var next = 0
            func addTask() {
                let index = next
                let source = sources[index]
                next += 1
                group.addTask {
                    switch source {
                    case .failure(let error):
                        return (index, Self.unusable(error))
                    case .success(.standardInput):
                        let bytes = stdinBytes ?? []
                        guard bytes.count <= limit else {
                            return (index, Self.unusable(Self.tooLarge("stdin", limit)))
                        }
                        return (index, Self.parse(bytes: bytes, name: "stdin", path: nil))
                    case .success(.file(let path)):
                        return (index, Self.read(path, maximumBytes: limit))
                    }
                }
            }
            while next < sources.count && next < concurrency { addTask() }
            var done = 0
            for await (index, file) in group {
                files[index] = file
                done += 1
                progress?(done, sources.count)
                if next < sources.count { addTask() }
            }
        }
        return files.compactMap(\.self)
    }

    /// The file at `path`, read (at most `maximumBytes`) and parsed.
    public static func read(_ path: String, maximumBytes: Int = defaultMaximumFileBytes) -> ManifestFile {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return unusable(InputError(.unreadable, file: path, message: "cannot read the file"))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            return unusable(InputError(.unreadable, file: path, message: "cannot read the file"))
        }
        guard data.count <= maximumBytes else { return unusable(tooLarge(path, maximumBytes)) }
        return parse(bytes: Array(data), name: path, path: path)
    }

    static func tooLarge(_ name: String, _ limit: Int) -> InputError {
        InputError(.unreadable, file: name, message: "larger than \(limit) bytes (raise it with --max-file-bytes)")
    }

    /// `bytes` parsed as the file `name`.
    public static func parse(bytes: [UInt8], name: String, path: String?) -> ManifestFile {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return unusable(InputError(.unreadable, file: name, message: "not UTF-8 text"))
        }
        return parse(text: text, name: name, path: path)
    }

    /// `text` parsed as the file `name`: every document, List items expanded.
    public static func parse(text: String, name: String, path: String?) -> ManifestFile {
        let syntax = ManifestSyntax.detect(text)
        let read: [YAMLStreamReader.Document]
        do {
            read = try YAMLStreamReader.documents(in: text, file: name)
        } catch {
            return ManifestFile(name: name, path: path, text: text, syntax: syntax, documents: [],
                                sourceValues: [], error: error)
        }
        var documents: [ManifestDocument] = []
        documents.reserveCapacity(read.count)
        for (sourceIndex, document) in read.enumerated() {
            if let items = listItems(document) {
                for (itemIndex, item) in items.values.enumerated() {
                    let positions = document.positions.item(itemIndex, ofMember: items.member)
                        ?? document.positions
                    documents.append(ManifestDocument(file: name, index: documents.count + 1,
                                                      sourceDocument: sourceIndex, listItem: itemIndex, value: item,
                                                      positions: positions))
                }
            } else {
                documents.append(ManifestDocument(file: name, index: documents.count + 1, sourceDocument: sourceIndex,
                                                  value: document.value, positions: document.positions))
            }
        }
        return ManifestFile(name: name, path: path, text: text, syntax: syntax, documents: documents,
                            sourceValues: read.map(\.value))
    }

    /// The items of a `kind: List` (or `UserList`, `IdentityList`, …) and the index of its `items` member.
    static func listItems(_ document: YAMLStreamReader.Document) -> (values: [JSONValue], member: Int)? {
        guard let object = document.value.objectValue, let kind = object["kind"]?.stringValue,
            kind.hasSuffix("List"), let member = object.members.lastIndex(where: { $0.key == "items" }),
            let items = object.members[member].value.arrayValue
        else { return nil }
        return (items, member)
    }

    private static func unusable(_ error: InputError) -> ManifestFile {
        ManifestFile(name: error.file, path: nil, text: "", syntax: .yaml, documents: [], sourceValues: [],
                     error: error)
    }
}
