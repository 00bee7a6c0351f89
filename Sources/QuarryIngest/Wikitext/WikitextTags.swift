/// The HTML and extension tags of wikitext, and comments. Tags whose content is not prose (references,
/// math, galleries, code, …) go with their content; formatting tags go but their text stays.
enum WikitextTags {
    /// Elements dropped together with everything inside them.
    static let droppedWithContent: Set<String> = [
        "ref", "references", "math", "chem", "ce", "gallery", "timeline", "syntaxhighlight", "source", "pre",
        "score", "graph", "mapframe", "maplink", "imagemap", "templatedata", "templatestyles", "hiero",
        "includeonly", "inputbox", "categorytree", "charinsert", "indicator", "table",
        "section", "dynamicpagelist", "poll",
    ]
    /// Elements removed as tags while their text stays; block-level ones also end a line.
    static let kept: Set<String> = [
        "b", "i", "u", "s", "em", "strong", "small", "big", "sup", "sub", "span", "font", "center", "cite",
        "q", "var", "kbd", "samp", "dfn", "abbr", "tt", "del", "ins", "strike", "mark", "bdi", "bdo", "nowiki",
        "onlyinclude", "noinclude", "code", "poem", "time", "data", "ruby", "rb", "rp", "rt", "wbr", "a",
    ]
    static let blocks: Set<String> = [
        "br", "p", "div", "blockquote", "li", "ul", "ol", "dl", "dt", "dd", "hr", "h1", "h2", "h3", "h4",
        "h5", "h6", "caption", "tr", "td", "th", "center",
    ]

    static func strip(_ input: [UInt8]) -> [UInt8] {
        guard input.contains(ASCII.less) else { return input }
        return ByteWriter.transform(input) { bytes, output in
            var index = 0
            while index < bytes.count {
                let next = nextByte(ASCII.less, in: bytes, from: index)
                output.append(bytes, from: index, to: next)
                index = next
                guard index < bytes.count else { break }
                if bytes.matchesIgnoringCase("<!--", at: index) {
                    index = bytes.find(ASCII.dash, ASCII.dash, from: index + 4).map { commentEnd(bytes, $0) } ?? bytes.count
                    continue
                }
                guard let tag = Tag(bytes, at: index) else {
                    output.append(bytes[index]); index += 1; continue
                }
                if droppedWithContent.contains(tag.name) {
                    index = tag.closing || tag.selfClosing ? tag.end : (closingTagEnd(bytes, tag.name, from: tag.end) ?? tag.end)
                } else if blocks.contains(tag.name) {
                    output.append(ASCII.newline); index = tag.end
                } else if kept.contains(tag.name) {
                    index = tag.end
                } else {
                    output.append(bytes[index]); index += 1   // not a tag we know: literal "<"
                }
            }
        }
    }

    /// Past the "-->" that ends a comment whose "--" search found a candidate at `dashes`.
    private static func commentEnd(_ bytes: UnsafeBufferPointer<UInt8>, _ dashes: Int) -> Int {
        var position = dashes
        while position + 2 < bytes.count {
            if bytes[position] == ASCII.dash && bytes[position + 1] == ASCII.dash && bytes[position + 2] == ASCII.greater {
                return position + 3
            }
            position += 1
        }
        return bytes.count
    }

    /// Past the `</name …>` closing an element opened before `from`, or nil when it is never closed
    /// (then only the opening tag goes, so an unclosed `<ref>` cannot swallow the rest of the page).
    private static func closingTagEnd(_ bytes: UnsafeBufferPointer<UInt8>, _ name: String, from: Int) -> Int? {
        var position = from
        while position + 1 < bytes.count {
            if bytes[position] == ASCII.less && bytes[position + 1] == ASCII.slash,
               let tag = Tag(bytes, at: position), tag.closing, tag.name == name {
                return tag.end
            }
            position += 1
        }
        return nil
    }

    /// A tag `<name …>`, `</name>` or `<name …/>` starting at a "<".
    struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        /// Just past the ">".
        var end: Int

        init?(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) {
            var position = start + 1
            closing = position < bytes.count && bytes[position] == ASCII.slash
            if closing { position += 1 }
            let nameStart = position
            while position < bytes.count, isASCIILetter(bytes[position]) || (bytes[position] >= 0x30 && bytes[position] <= 0x39) {
                position += 1
            }
            guard position > nameStart, position - nameStart <= 20, position < bytes.count else { return nil }
            let after = bytes[position]
            guard after == ASCII.greater || after == ASCII.slash || after == ASCII.space || after == ASCII.tab
                    || after == ASCII.newline else { return nil }
            name = String(decoding: bytes[nameStart..<position].map(lowerASCII), as: UTF8.self)
            // Attributes may hold ">" only inside quotes; look no further than a few hundred bytes.
            var quote: UInt8 = 0
            let limit = min(bytes.count, position + 1000)
            while position < limit {
                let byte = bytes[position]
                if quote != 0 { if byte == quote { quote = 0 } }
                else if byte == 0x22 || byte == 0x27 { if bytes[position - 1] == ASCII.equals || bytes[position - 1] == ASCII.space { quote = byte } }
                else if byte == ASCII.greater { break }
                else if byte == ASCII.less { return nil }
                position += 1
            }
            guard position < limit, bytes[position] == ASCII.greater else { return nil }
            selfClosing = bytes[position - 1] == ASCII.slash
            end = position + 1
        }
    }
}
