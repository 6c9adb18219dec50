/// Replaces some documents of a multi-document YAML text and leaves the others byte for byte.
///
/// `mutate --in-place` rewrites only the documents a rule changed, so the comments and layout of every other
/// document survive. The text is cut at `---` lines; the comments and blank lines at the start and end of a
/// replaced section are kept too. When the text cannot be cut reliably (`...` end markers, directives, or a
/// section count that does not match the parser's), ``splice(_:replacements:documentCount:)`` returns nil and
/// the caller writes every document.
enum YAMLDocumentSplicer {
    /// `text` with document `i` replaced by `replacements[i]` (YAML text ending in a newline) where present.
    static func splice(_ text: String, replacements: [Int: String], documentCount: Int) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline { lines.removeLast() }
        // Sections: [start, end) line ranges, each starting at a `---` line (except maybe the first).
        var starts: [Int] = [0]
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("...") || line.hasPrefix("%") { return nil }
            if index > 0 && isSeparator(line) { starts.append(index) }
        }
        var sections: [Range<Int>] = []
        for (position, start) in starts.enumerated() {
            let end = position + 1 < starts.count ? starts[position + 1] : lines.count
            sections.append(start..<end)
        }
        let content = sections.filter { hasContent(lines[$0]) }
        guard content.count == documentCount else { return nil }
        var output: [String] = []
        var documentIndex = 0
        for section in sections {
            let slice = Array(lines[section])
            guard hasContent(lines[section]) else {
                output.append(contentsOf: slice)
                continue
            }
            defer { documentIndex += 1 }
            guard let replacement = replacements[documentIndex] else {
                output.append(contentsOf: slice)
                continue
            }
            var head = 0
            if let first = slice.first, isSeparator(first) {
                if isBareSeparator(first) {
                    output.append(first)
                } else {
                    output.append("---")
                }
                head = 1
            }
            while head < slice.count && isTrivia(slice[head]) {
                output.append(slice[head])
                head += 1
            }
            var tail = slice.count
            while tail > head && isTrivia(slice[tail - 1]) { tail -= 1 }
            var replacementLines = replacement.split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init)
            if replacement.hasSuffix("\n") { replacementLines.removeLast() }
            output.append(contentsOf: replacementLines)
            output.append(contentsOf: slice[tail...])
        }
        return output.joined(separator: "\n") + "\n"
    }

    private static func isSeparator(_ line: String) -> Bool {
        line == "---" || line.hasPrefix("--- ") || line.hasPrefix("---\t")
    }

    /// `---`, maybe with a comment, and nothing else.
    private static func isBareSeparator(_ line: String) -> Bool {
        let rest = line.dropFirst(3).drop { $0 == " " || $0 == "\t" }
        return rest.isEmpty || rest.hasPrefix("#")
    }

    private static func isTrivia(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }

    private static func hasContent(_ lines: ArraySlice<String>) -> Bool {
        for line in lines {
            if isSeparator(line) {
                if !isBareSeparator(line) { return true }
                continue
            }
            if !isTrivia(line) { return true }
        }
        return false
    }
}
