import IdentityRules

/// Private-use characters inserted before repeated mapping keys so that Yams composes a document with duplicates.
///
/// Yams refuses a mapping with a key written twice (`duplicatedKeysInMapping`), which would make a duplicate
/// key a syntax error; the rules want to report it as `Duplicate value` at the second key. So the reader puts a
/// distinct marker in front of the first occurrence, composes again, and strips the marker while converting.
/// Markers shift what follows them on their line by one column; ``adjust(_:)`` shifts positions back.
struct KeyMarkers: Sendable {
    /// Where a marker went, as Yams reports the key's start (the opening quote of a quoted key).
    private(set) var insertions: [SourcePosition] = []
    /// Marker insertions per line, for column adjustment.
    private var columnsByLine: [Int: [Int]] = [:]

    var isEmpty: Bool { insertions.isEmpty }

    /// The marker for the next insertion (distinct ones, so that three equal keys become distinct, too).
    var nextMarker: Unicode.Scalar { Unicode.Scalar(0xE000 + UInt32(insertions.count % 6400))! }

    /// Inserts a marker at the key that starts at `position` (a 1-based line and scalar column).
    mutating func insert(at position: SourcePosition, in text: inout String) -> Bool {
        var scalars = text.unicodeScalars
        var index = scalars.startIndex
        var line = 1
        while line < position.line {
            guard let newline = scalars[index...].firstIndex(of: "\n") else { return false }
            index = scalars.index(after: newline)
            line += 1
        }
        guard let keyStart = scalars.index(index, offsetBy: position.column - 1, limitedBy: scalars.endIndex),
            keyStart < scalars.endIndex
        else { return false }
        var markerAt = keyStart
        let column: Int
        switch scalars[keyStart] {
        case "\"", "'":
            markerAt = scalars.index(after: keyStart)
            column = position.column + 1
        case "?", "{", "[", "&", "*", "!", "|", ">":
            return false
        default:
            column = position.column
        }
        scalars.insert(nextMarker, at: markerAt)
        text = String(scalars)
        insertions.append(position)
        columnsByLine[position.line, default: []].append(column)
        return true
    }

    /// A position in the marked text as a position in the original text.
    func adjust(_ position: SourcePosition) -> SourcePosition {
        guard !columnsByLine.isEmpty else { return position }
        return SourcePosition(line: position.line, column: adjustedColumn(position.column, line: position.line))
    }

    private func adjustedColumn(_ column: Int, line: Int) -> Int {
        guard let columns = columnsByLine[line] else { return column }
        return column - columns.filter { $0 < column }.count
    }

    /// `key` without the marker this reader put in front of it.
    func unmarked(_ key: String) -> String {
        guard let first = key.unicodeScalars.first, (0xE000...0xF8FF).contains(first.value) else { return key }
        return String(key.unicodeScalars.dropFirst())
    }
}
