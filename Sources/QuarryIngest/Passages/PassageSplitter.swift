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

    /// The passages of a document's sections, each its words joined by single spaces.
    public func passages(of sections: [String]) -> [String] {
        var tokens: [Substring] = []
        for section in sections {
            tokens.append(contentsOf: section.split(whereSeparator: { $0.isWhitespace }))
        }
        guard !tokens.isEmpty else { return [] }
        var passages: [String] = []
        var start = 0
        while true {
            let end = min(start + words, tokens.count)
            passages.append(tokens[start..<end].joined(separator: " "))
            if end == tokens.count { break }
            start += stride
        }
        return passages
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
