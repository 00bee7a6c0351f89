/// Cuts a document into windows of words, as DPR does: `words` per passage, a new window every `stride`
/// words (stride == words: no overlap). Windows never cross documents; a short last window is kept; the
/// sections of a document are read as one run of words (a window may span a heading).
public struct PassageSplitter: Equatable, Sendable {
    public let words: Int
    public let stride: Int

    /// `stride` defaults to `words`; it must lie in 1...words, since a larger stride would drop text.
    public init(words: Int = 100, stride: Int? = nil) throws {
        let stride = stride ?? words
        guard words > 0 else { throw PassageSplitterError.nonPositiveWords(words) }
        guard stride > 0, stride <= words else { throw PassageSplitterError.strideOutOfRange(stride: stride, words: words) }
        self.words = words
        self.stride = stride
    }

    /// The passages of a document's sections, each its words joined by single spaces. Words are the runs
    /// between Unicode White_Space characters, found on the UTF-8 bytes (ingestion spends most of its time
    /// here otherwise: `Character.isWhitespace` looks up Unicode properties for every character).
    public func passages(of sections: [String]) -> [String] {
        var bytes: [UInt8] = []
        var words: [Range<Int>] = []
        for section in sections {
            bytes.append(contentsOf: section.utf8)
            bytes.append(0x20)  // sections never run into each other
        }
        bytes.withUnsafeBufferPointer { WhitespaceScanner.words(in: $0, into: &words) }
        guard !words.isEmpty else { return [] }
        var passages: [String] = []
        var start = 0
        var text: [UInt8] = []
        while true {
            let end = min(start + self.words, words.count)
            text.removeAll(keepingCapacity: true)
            for index in start..<end {
                if index > start { text.append(0x20) }
                text.append(contentsOf: bytes[words[index]])
            }
            passages.append(String(decoding: text, as: UTF8.self))
            if end == words.count { break }
            start += stride
        }
        return passages
    }
}

/// Finds words in UTF-8 text: maximal runs of bytes containing no White_Space character (the set
/// `Character.isWhitespace` tests: tab to carriage return, space, U+0085, U+00A0, U+1680, U+2000–U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000). Cuts fall on character boundaries, so words stay valid UTF-8.
enum WhitespaceScanner {
    static func words(in text: UnsafeBufferPointer<UInt8>, into words: inout [Range<Int>]) {
        var wordStart = -1
        var i = 0
        let count = text.count
        while i < count {
            let width = whitespaceWidth(text, at: i, count: count)
            if width > 0 {
                if wordStart >= 0 { words.append(wordStart..<i) }
                wordStart = -1
                i &+= width
            } else {
                if wordStart < 0 { wordStart = i }
                i &+= 1
            }
        }
        if wordStart >= 0 { words.append(wordStart..<count) }
    }

    /// The byte length of the White_Space character starting at `i`, or 0 when there is none.
    @inline(__always)
    private static func whitespaceWidth(_ text: UnsafeBufferPointer<UInt8>, at i: Int, count: Int) -> Int {
        let byte = text[i]
        if byte < 0x80 { return byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) ? 1 : 0 }
        switch byte {
        case 0xC2:  // U+0085, U+00A0
            guard i &+ 1 < count else { return 0 }
            return text[i &+ 1] == 0x85 || text[i &+ 1] == 0xA0 ? 2 : 0
        case 0xE1:  // U+1680
            guard i &+ 2 < count else { return 0 }
            return text[i &+ 1] == 0x9A && text[i &+ 2] == 0x80 ? 3 : 0
        case 0xE2:  // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F
            guard i &+ 2 < count else { return 0 }
            let second = text[i &+ 1], third = text[i &+ 2]
            if second == 0x80 {
                return third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0
            }
            return second == 0x81 && third == 0x9F ? 3 : 0
        case 0xE3:  // U+3000
            guard i &+ 2 < count else { return 0 }
            return text[i &+ 1] == 0x80 && text[i &+ 2] == 0x80 ? 3 : 0
        default:
            return 0
        }
    }
}

public enum PassageSplitterError: Error, CustomStringConvertible {
    case nonPositiveWords(Int)
    case strideOutOfRange(stride: Int, words: Int)

    public var description: String {
        switch self {
        case let .nonPositiveWords(words): return "passage length must be at least 1 word, got \(words)"
        case let .strideOutOfRange(stride, words):
            return "stride must be between 1 and the passage length (\(words)), got \(stride)"
        }
    }
}
