/// The line-level syntax left once templates, tags and links are gone: headings (section boundaries),
/// list and indent markers, table rows that escaped a table, rules, magic words, bold/italic quotes.
/// Lines of a paragraph are joined with spaces, paragraphs with "\n", runs of spaces collapsed.
enum WikitextLines {
    static func sections(_ input: [UInt8]) -> [WikitextSection] {
        var sections: [WikitextSection] = []
        var heading: String?
        var body: [UInt8] = []
        var paragraphOpen = false
        func closeSection() {
            if !body.isEmpty { sections.append(WikitextSection(heading: heading, text: String(decoding: body, as: UTF8.self))) }
            body.removeAll(keepingCapacity: true)
            paragraphOpen = false
        }
        input.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            while lineStart <= bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != ASCII.newline { lineEnd += 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                if let title = headingText(line) {
                    closeSection()
                    heading = title
                } else {
                    let text = lineText(line)
                    if text.isEmpty {
                        paragraphOpen = false
                    } else {
                        // A list item is a line of its own; plain lines join their paragraph.
                        let item = isListItem(line)
                        if !body.isEmpty { body.append(paragraphOpen && !item ? ASCII.space : ASCII.newline) }
                        body.append(contentsOf: text)
                        paragraphOpen = !item
                    }
                }
                lineStart = lineEnd + 1
            }
        }
        closeSection()
        return sections
    }

    static func isListItem(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = line.first else { return false }
        return first == 0x2A || first == ASCII.hash || first == ASCII.colon || first == ASCII.semicolon
    }

    /// The cleaned title when the line is a heading (`== Title ==`), else nil.
    static func headingText(_ line: UnsafeBufferPointer<UInt8>) -> String? {
        var end = line.count
        while end > 0 && (line[end - 1] == ASCII.space || line[end - 1] == ASCII.tab || line[end - 1] == 0x0D) { end -= 1 }
        guard end >= 3, line[0] == ASCII.equals, line[end - 1] == ASCII.equals else { return nil }
        var start = 0
        while start < end && line[start] == ASCII.equals { start += 1 }
        var stop = end
        while stop > start && line[stop - 1] == ASCII.equals { stop -= 1 }
        guard stop > start else { return nil }
        return String(decoding: lineText(UnsafeBufferPointer(rebasing: line[start..<stop])), as: UTF8.self)
    }

    /// A body line's text with its markers, quotes and magic words gone and spaces collapsed.
    static func lineText(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var start = 0
        // List and indent markers, and the spaces of preformatted lines.
        while start < line.count, [0x2A, ASCII.hash, ASCII.colon, ASCII.semicolon, ASCII.space, ASCII.tab].contains(line[start]) { start += 1 }
        if start < line.count, line[start] == ASCII.pipe || line[start] == ASCII.bang {
            // Table row syntax outside a table (left by a template that opened the table): not prose.
            if start + 1 < line.count, [ASCII.dash, ASCII.closeBrace, 0x2B].contains(line[start + 1]) { return [] }
        }
        if line.count - start >= 4, line[start] == ASCII.dash, (start..<line.count).allSatisfy({ line[$0] == ASCII.dash }) { return [] }
        var output: [UInt8] = []
        output.reserveCapacity(line.count - start)
        var index = start
        while index < line.count {
            let byte = line[index]
            if byte == ASCII.apostrophe && index + 1 < line.count && line[index + 1] == ASCII.apostrophe {
                var run = index
                while run < line.count && line[run] == ASCII.apostrophe { run += 1 }
                let length = run - index
                // '' italic, ''' bold, ''''' both; four is an apostrophe then bold; longer runs keep the excess.
                let kept = length == 4 ? 1 : (length > 5 ? length - 5 : 0)
                for _ in 0..<kept { output.append(ASCII.apostrophe) }
                index = run
            } else if byte == ASCII.underscore, let end = magicWordEnd(line, index) {
                index = end
            } else if byte == ASCII.space || byte == ASCII.tab || byte == 0x0D {
                if let last = output.last, last != ASCII.space { output.append(ASCII.space) }
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        while output.last == ASCII.space { output.removeLast() }
        return output
    }

    /// Past `__WORD__` (e.g. `__TOC__`, `__NOEDITSECTION__`) starting at `index`, or nil.
    private static func magicWordEnd(_ line: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int? {
        guard index + 1 < line.count, line[index + 1] == ASCII.underscore else { return nil }
        var end = index + 2
        while end < line.count, (line[end] >= 0x41 && line[end] <= 0x5A) || line[end] == ASCII.underscore && !(end + 1 < line.count && line[end + 1] == ASCII.underscore) { end += 1 }
        guard end > index + 2, end + 1 < line.count, line[end] == ASCII.underscore, line[end + 1] == ASCII.underscore else { return nil }
        return end + 2
    }
}
