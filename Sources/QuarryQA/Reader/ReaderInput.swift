import QuarryText

/// A passage the reader reads: its title and text, and where it came from.
public struct ReaderPassage: Sendable, Equatable {
    /// Store id, or nil for a passage given directly (e.g. a SQuAD paragraph).
    public var passageID: Int64?
    public var title: String
    public var text: String
    /// The retriever's score (higher is better), when the passage was retrieved; a span scoring rule with a
    /// retrieval weight uses it.
    public var retrievalScore: Double?

    public init(passageID: Int64? = nil, title: String, text: String, retrievalScore: Double? = nil) {
        self.passageID = passageID
        self.title = title
        self.text = text
        self.retrievalScore = retrievalScore
    }
}

/// One encoder input built from a question and (a window of) a passage, through the reader template:
/// `[CLS] question-part [SEP] passage-part [SEP]`, where the passage part is the template's second segment
/// (by default the title, a line break, then the text). Only tokens of the passage's text may start or end
/// an answer; `textOffsets` maps each of them back to UTF-8 offsets in `ReaderPassage.text`.
public struct ReaderWindow: Sendable {
    /// Index of the passage among those given to the reader.
    public var passageIndex: Int
    public var ids: [Int]
    public var typeIds: [Int]
    /// Positions in `ids` of tokens of the passage text (a contiguous run; empty if the window holds none).
    public var textPositions: Range<Int>
    /// UTF-8 range in the passage text of each token of `textPositions`.
    public var textOffsets: [Range<Int>]
    /// For each token of `textPositions`, whether it continues the previous token's word (a `##` piece):
    /// answers neither start nor end inside a word.
    public var continuesWord: [Bool]

    public init(passageIndex: Int, ids: [Int], typeIds: [Int], textPositions: Range<Int>, textOffsets: [Range<Int>],
                continuesWord: [Bool]? = nil) {
        self.passageIndex = passageIndex
        self.ids = ids
        self.typeIds = typeIds
        self.textPositions = textPositions
        self.textOffsets = textOffsets
        self.continuesWord = continuesWord ?? [Bool](repeating: false, count: textOffsets.count)
    }

    /// Whether a span may start at position `p` (not inside a word).
    public func canStart(at p: Int) -> Bool { !continuesWord[p - textPositions.lowerBound] }

    /// Whether a span may end at position `p` (the next token does not continue the word).
    public func canEnd(at p: Int) -> Bool {
        let next = p + 1 - textPositions.lowerBound
        return next >= continuesWord.count || !continuesWord[next]
    }

    /// The UTF-8 range in the passage text covered by tokens `first...last` (positions in `ids`).
    public func utf8Range(from first: Int, through last: Int) -> Range<Int> {
        let lower = textOffsets[first - textPositions.lowerBound].lowerBound
        let upper = textOffsets[last - textPositions.lowerBound].upperBound
        return lower..<max(lower, upper)
    }

    /// The positions of the first and last tokens covering the UTF-8 range `range` of the passage text, when
    /// the window holds the whole range.
    public func tokenSpan(covering range: Range<Int>) -> ClosedRange<Int>? {
        guard let firstOffset = textOffsets.first, let lastOffset = textOffsets.last,
              firstOffset.lowerBound <= range.lowerBound, lastOffset.upperBound >= range.upperBound else { return nil }
        guard let first = textOffsets.firstIndex(where: { $0.upperBound > range.lowerBound }),
              let last = textOffsets.lastIndex(where: { $0.lowerBound < range.upperBound }), first <= last else { return nil }
        return (textPositions.lowerBound + first)...(textPositions.lowerBound + last)
    }
}

/// Builds reader windows with the tokenizer's pair encoding and the prompt templates.
public struct ReaderInputBuilder: Sendable {
    public let tokenizer: BertTokenizer
    public let prompts: Prompts
    public let configuration: ReaderConfiguration

    public init(tokenizer: BertTokenizer, prompts: Prompts, configuration: ReaderConfiguration) {
        self.tokenizer = tokenizer
        self.prompts = prompts
        self.configuration = configuration
    }

    /// Every window of `passage` (one unless the passage is longer than an input holds).
    public func windows(question: String, passage: ReaderPassage, passageIndex: Int) -> [ReaderWindow] {
        let rendered = prompts.renderReader(question: question, title: passage.title, text: passage.text)
        // Without a {text} placeholder the passage text is nowhere in the input, so nothing can be an answer.
        let textRange = rendered.passage.ranges["text"] ?? 0..<0
        let pairs = tokenizer.encodePair(question: rendered.question.text, passage: rendered.passage.text,
                                         maxLength: configuration.maxSequenceLength,
                                         maxQuestionTokens: configuration.maxQuestionTokens,
                                         overlap: configuration.windowOverlap)
        return pairs.compactMap { pair in
            var first = -1, last = -1
            var offsets: [Range<Int>] = []
            for (i, offset) in pair.passageOffsets.enumerated()
            where offset.lowerBound >= textRange.lowerBound && offset.upperBound <= textRange.upperBound {
                if first < 0 { first = i }
                last = i
                offsets.append((offset.lowerBound - textRange.lowerBound)..<(offset.upperBound - textRange.lowerBound))
            }
            let base = pair.passagePositions.lowerBound
            // A later window holding only title tokens cannot happen (the title comes first); an empty one
            // is still kept when it is the passage's only window, so relevance can be scored.
            let positions = first < 0 ? base..<base : (base + first)..<(base + last + 1)
            if first < 0 && pairs.count > 1 { return nil }
            let continues = positions.map { tokenizer.vocabulary.tokens[pair.ids[$0]].hasPrefix("##") }
            return ReaderWindow(passageIndex: passageIndex, ids: pair.ids, typeIds: pair.typeIds,
                                textPositions: positions, textOffsets: offsets, continuesWord: continues)
        }
    }
}
