/// The line-level syntax left once templates, tags and links are gone: headings (section boundaries),
/// list and indent markers, table rows that escaped a table, rules, magic words, bold/italic quotes.
/// Lines of a paragraph are joined with spaces, paragraphs with "\n", runs of spaces collapsed.
enum WikitextLines {
    /// Bytes that need a look in a body line; everything else is copied in runs.
    nonisolated(unsafe) private static let special = byteTable([ASCII.apostrophe, ASCII.underscore, ASCII.space, ASCII.tab, 0x0D])

    static func sections(_ input: [UInt8]) -> [WikitextSection] {
        var sections: [WikitextSection] = []
        var heading: String?
        // Lines only shrink, and each separator replaces a newline: the input's size is enough.
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: input.count + 1)
        defer { storage.deallocate() }
        var body = ByteWriter(storage)
        var sectionStart = 0
        var paragraphOpen = false
        func closeSection() {
            if body.count > sectionStart {
                sections.append(WikitextSection(heading: heading, text: String(decoding: tidied(body.written(from: sectionStart)), as: UTF8.self)))
            }
            sectionStart = body.count
            paragraphOpen = false
        }
        input.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            while lineStart <= bytes.count {
                let lineEnd = nextByte(ASCII.newline, in: bytes, from: lineStart)
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                if let title = headingText(line) {
                    closeSection()
                    heading = title
                } else {
                    // A list item is a line of its own; plain lines join their paragraph.
                    let item = isListItem(line)
                    let before = body.count
                    if body.count > sectionStart { body.append(paragraphOpen && !item ? ASCII.space : ASCII.newline) }
                    let separated = body.count
                    appendLineText(line, to: &body)
                    if body.count == separated {
                        body.truncate(to: before)
                        paragraphOpen = false
                    } else {
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
        let text = ByteWriter.transform(Array(line[start..<stop])) { bytes, output in appendLineText(bytes, to: &output) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends a body line's text with its markers, quotes and magic words gone and spaces collapsed.
    static func appendLineText(_ line: UnsafeBufferPointer<UInt8>, to output: inout ByteWriter) {
        var start = 0
        // List and indent markers, and the spaces of preformatted lines.
        while start < line.count, isMarker(line[start]) { start += 1 }
        if start < line.count, line[start] == ASCII.pipe || line[start] == ASCII.bang, start + 1 < line.count {
            // Table row syntax outside a table (left by a template that opened the table): not prose.
            let next = line[start + 1]
            if next == ASCII.dash || next == ASCII.closeBrace || next == 0x2B { return }
        }
        if line.count - start >= 4, line[start] == ASCII.dash, (start..<line.count).allSatisfy({ line[$0] == ASCII.dash }) { return }
        let origin = output.count
        var index = start
        while index < line.count {
            let next = nextMarked(special, in: line, from: index)
            output.append(line, from: index, to: next)
            index = next
            guard index < line.count else { break }
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
                if output.count > origin, output.last != ASCII.space { output.append(ASCII.space) }
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        while output.count > origin, output.last == ASCII.space { output.removeLast() }
    }

    /// Mends the punctuation that removed templates and references leave behind: "Greek , i.e." →
    /// "Greek, i.e.", "word ( , a)" → "word (a)", "x ()" → "x".
    static func tidied(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count + 1) { buffer, count in
            var output = ByteWriter(buffer)
            defer { count = output.count }
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let next = index + 1 < bytes.count ? bytes[index + 1] : ASCII.space
                let followedBySpace = next == ASCII.space || next == ASCII.newline
                switch byte {
                case 0x2C, ASCII.semicolon, 0x29, 0x2E, ASCII.colon:
                    let sticks = byte == 0x2C || byte == ASCII.semicolon || byte == 0x29 || followedBySpace
                    if sticks, output.last == ASCII.space { output.removeLast() }
                    if byte == 0x29, output.last == 0x28 {          // "()" goes entirely
                        output.removeLast()
                        if output.last == ASCII.space, followedBySpace { output.removeLast() }
                        continue
                    }
                    if (byte == 0x2C || byte == ASCII.semicolon), output.last == 0x28 { continue }
                    output.append(byte)
                case ASCII.space:
                    if output.last == ASCII.space || output.last == 0x28 || output.last == ASCII.newline || output.last == nil { continue }
                    output.append(byte)
                default:
                    output.append(byte)
                }
            }
            while output.last == ASCII.space { output.removeLast() }
        }
    }

    @inline(__always)
    private static func isMarker(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x2A, ASCII.hash, ASCII.colon, ASCII.semicolon, ASCII.space, ASCII.tab: return true
        default: return false
        }
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
