/// The sentence of a passage that holds an answer, with the answer marked «like this».
public enum EvidenceSentence {
    /// The sentence around the UTF-8 range `answer` of `text`: from just after the previous `.`, `!` or `?`
    /// followed by a space (or the text's start) to the next such mark (or the end), with `«` and `»` around
    /// the answer. Long sentences are cut to about `maxCharacters` around the answer with `…`.
    public static func marked(_ text: String, answer: Range<Int>, maxCharacters: Int = 300) -> String {
        let bytes = Array(text.utf8)
        let lower = min(answer.lowerBound, bytes.count), upper = min(max(answer.upperBound, lower), bytes.count)
        func endsSentence(_ i: Int) -> Bool {
            (bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "!") || bytes[i] == UInt8(ascii: "?"))
                && (i + 1 == bytes.count || bytes[i + 1] == 0x20 || bytes[i + 1] == 0x0A)
        }
        var start = lower
        while start > 0 && !endsSentence(start - 1) { start -= 1 }
        while start < lower && (bytes[start] == 0x20 || bytes[start] == 0x0A) { start += 1 }
        var end = upper
        while end < bytes.count && !endsSentence(end) { end += 1 }
        if end < bytes.count { end += 1 }
        var before = String(decoding: bytes[start..<lower], as: UTF8.self)
        var after = String(decoding: bytes[upper..<end], as: UTF8.self)
        let middle = String(decoding: bytes[lower..<upper], as: UTF8.self)
        let room = max(20, (maxCharacters - middle.count) / 2)
        if before.count > room { before = "…" + String(before.suffix(room)) }
        if after.count > room { after = String(after.prefix(room)) + "…" }
        return (before + "«" + middle + "»" + after).trimmingSpaces()
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
