/// Internal links `[[target|label]]` (label kept; media, category and interlanguage links dropped with
/// any links nested in their captions) and external links `[url label]` (label kept).
enum WikitextLinks {
    /// Internal links nest only inside captions; a label holding a further link is cleaned again, at
    /// most this many rounds.
    private static let rounds = 4
    nonisolated(unsafe) private static let brackets = byteTable([ASCII.openBracket, ASCII.closeBracket])

    static func strip(_ input: [UInt8], files: Set<String>, categories: Set<String>) -> [UInt8] {
        var text = input
        for _ in 0..<rounds {
            guard contains(text, ASCII.openBracket, ASCII.openBracket) || contains(text, ASCII.closeBracket, ASCII.closeBracket) else { break }
            text = ByteWriter.transform(text) { onePass($0, into: &$1, files: files, categories: categories) }
        }
        // Anything still bracketed after the rounds is markup no reader wants.
        return removePairs(text)
    }

    private static func onePass(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout ByteWriter, files: Set<String>, categories: Set<String>) {
        let closes = matchingCloses(bytes)
        var index = 0
        while index < bytes.count {
            let next = nextMarked(brackets, in: bytes, from: index)
            output.append(bytes, from: index, to: next)
            index = next
            guard index < bytes.count else { break }
            if bytes.matches(ASCII.openBracket, ASCII.openBracket, at: index) {
                let known = closes[index]
                guard let close = known.map({ $0 >= 0 ? $0 : nil }) ?? matchingClose(bytes, from: index + 2) else { index += 2; continue }
                appendLink(bytes, index + 2, close, files: files, categories: categories, to: &output)
                index = close + 2
            } else if bytes.matches(ASCII.closeBracket, ASCII.closeBracket, at: index) {
                index += 2   // stray closer
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
    }

    /// What `matchingClose` answers for every "[[" `onePass` can meet (-1 for none), in one linear pass:
    /// scanning from each opener separately is quadratic, and thousands of unclosed "[[" made a page take
    /// minutes. A stack emulates the per-opener scans exactly: "]]" closes the innermost open opener; a
    /// blank line ends the search of the innermost live one only (the others are nested deeper there), which
    /// stays on the stack, dead, so that it still counts in the depth of those below it.
    private static func matchingCloses(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int: Int] {
        var closes: [Int: Int] = [:]
        var stack: [(opener: Int, live: Bool)] = []
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == ASCII.openBracket && bytes[index + 1] == ASCII.openBracket {
                stack.append((index, true))
                closes[index] = -1
                index += 2
                continue
            }
            if bytes[index] == ASCII.closeBracket && bytes[index + 1] == ASCII.closeBracket {
                if let top = stack.popLast(), top.live { closes[top.opener] = index }
                index += 2
                continue
            }
            if bytes[index] == ASCII.newline && bytes[index + 1] == ASCII.newline, let top = stack.last, top.live {
                stack[stack.count - 1].live = false
            }
            index += 1
        }
        return closes
    }

    /// The "]]" closing a link whose body starts at `from`, counting nested "[[". Links never span
    /// paragraphs, so a blank line ends the search.
    private static func matchingClose(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var depth = 0
        var index = from
        while index + 1 < bytes.count {
            if bytes[index] == ASCII.openBracket && bytes[index + 1] == ASCII.openBracket { depth += 1; index += 2; continue }
            if bytes[index] == ASCII.closeBracket && bytes[index + 1] == ASCII.closeBracket {
                if depth == 0 { return index }
                depth -= 1; index += 2; continue
            }
            if bytes[index] == ASCII.newline && bytes[index + 1] == ASCII.newline && depth == 0 { return nil }
            index += 1
        }
        return nil
    }

    private static func appendLink(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                                   files: Set<String>, categories: Set<String>, to output: inout ByteWriter) {
        var pipe = start
        while pipe < end && bytes[pipe] != ASCII.pipe { pipe += 1 }
        var targetStart = start
        while targetStart < pipe && bytes[targetStart] == ASCII.space { targetStart += 1 }
        let visible = targetStart < pipe && bytes[targetStart] == ASCII.colon
        if visible { targetStart += 1 }
        if !visible, let (prefix, raw) = namespacePrefix(bytes, targetStart, pipe) {
            if files.contains(prefix) || categories.contains(prefix) || isLanguageCode(raw) { return }
        }
        if pipe < end && pipe + 1 < end {
            output.append(bytes, from: pipe + 1, to: end)
        } else if pipe < end {
            appendPipeTrick(bytes, targetStart, pipe, to: &output)
        } else {
            output.append(bytes, from: targetStart, to: pipe)
        }
    }

    /// `[[Paris (disambiguation)|]]` shows "Paris": the target without its parenthesised part.
    private static func appendPipeTrick(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, to output: inout ByteWriter) {
        var stop = end
        if let paren = (start..<end).first(where: { bytes[$0] == 0x28 }) { stop = paren }
        while stop > start && bytes[stop - 1] == ASCII.space { stop -= 1 }
        output.append(bytes, from: start, to: stop)
    }

    /// The text before the first ":" of a target, if short enough to be a namespace: as compared with
    /// namespace names (lower case), and as written (interlanguage prefixes are written in lower case).
    private static func namespacePrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (String, String)? {
        var colon = start
        while colon < end && colon - start < 40 && bytes[colon] != ASCII.colon { colon += 1 }
        guard colon < end, bytes[colon] == ASCII.colon, colon > start else { return nil }
        let raw = String(decoding: bytes[start..<colon], as: UTF8.self).trimmingSpaces
        return (WikitextCleaner.namespaceKey(raw), raw)
    }

    /// Interlanguage prefixes: "de", "fr", "zh-min-nan", "simple", "be-x-old".
    private static func isLanguageCode(_ prefix: String) -> Bool {
        if prefix == "simple" { return true }
        let parts = prefix.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count) else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.count <= 8 && part.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A } }
    }

    /// External links: `[http://x label]` keeps "label", `[http://x]` goes. Bare URLs stay as text.
    static func stripExternal(_ input: [UInt8]) -> [UInt8] {
        guard input.contains(ASCII.openBracket) else { return input }
        return ByteWriter.transform(input) { bytes, output in
            var index = 0
            while index < bytes.count {
                let next = nextByte(ASCII.openBracket, in: bytes, from: index)
                output.append(bytes, from: index, to: next)
                index = next
                guard index < bytes.count else { break }
                if startsURL(bytes, index + 1),
                   let close = (index + 1..<min(bytes.count, index + 2000)).first(where: { bytes[$0] == ASCII.closeBracket || bytes[$0] == ASCII.newline }),
                   bytes[close] == ASCII.closeBracket {
                    if let space = (index + 1..<close).first(where: { bytes[$0] == ASCII.space }) {
                        output.append(bytes, from: space + 1, to: close)
                    }
                    index = close + 1
                } else {
                    output.append(bytes[index])
                    index += 1
                }
            }
        }
    }

    private static func startsURL(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        bytes.matchesIgnoringCase("http://", at: index) || bytes.matchesIgnoringCase("https://", at: index)
            || bytes.matchesIgnoringCase("ftp://", at: index) || bytes.matches(ASCII.slash, ASCII.slash, at: index)
            || bytes.matchesIgnoringCase("mailto:", at: index) || bytes.matchesIgnoringCase("irc://", at: index)
            || bytes.matchesIgnoringCase("news:", at: index) || bytes.matchesIgnoringCase("gopher://", at: index)
    }

    private static func contains(_ bytes: [UInt8], _ first: UInt8, _ second: UInt8) -> Bool {
        bytes.withUnsafeBufferPointer { $0.find(first, second, from: 0) != nil }
    }

    /// Drops every remaining "[[" and "]]".
    private static func removePairs(_ input: [UInt8]) -> [UInt8] {
        guard contains(input, ASCII.openBracket, ASCII.openBracket) || contains(input, ASCII.closeBracket, ASCII.closeBracket) else { return input }
        return ByteWriter.transform(input) { bytes, output in
            var index = 0
            while index < bytes.count {
                if bytes.matches(ASCII.openBracket, ASCII.openBracket, at: index) || bytes.matches(ASCII.closeBracket, ASCII.closeBracket, at: index) {
                    index += 2
                } else {
                    output.append(bytes[index]); index += 1
                }
            }
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (Foundation-free).
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
