/// Word pieces of one text, without special tokens, each with the UTF-8 byte range it came from in the
/// original string (pieces of one word share that word's bytes as the normalisation allows; a `[UNK]`
/// covers its whole word).
public struct TokenizedText: Sendable, Equatable {
    /// Vocabulary ids.
    public var ids: [Int]
    /// For each id, UTF-8 offsets into the text that was tokenized (empty when offsets were not asked for).
    public var offsets: [Range<Int>]

    public init(ids: [Int] = [], offsets: [Range<Int>] = []) {
        self.ids = ids
        self.offsets = offsets
    }
}

/// One reader input: `[CLS] question [SEP] passage-window [SEP]`.
public struct PairEncoding: Sendable, Equatable {
    /// Token ids, at most the tokenizer's maximum length.
    public var ids: [Int]
    /// Segment ids: 0 for `[CLS]`, the question and the first `[SEP]`; 1 for the passage and the last `[SEP]`.
    public var typeIds: [Int]
    /// Positions in `ids` of the passage tokens.
    public var passagePositions: Range<Int>
    /// UTF-8 offsets into the passage string of each passage token, aligned with `passagePositions`.
    public var passageOffsets: [Range<Int>]
    /// Index of this window's first token among all of the passage's tokens.
    public var windowStart: Int

    /// The positions in `ids` of the first and last passage tokens of this window that overlap `utf8Range`
    /// (UTF-8 offsets in the passage); nil unless the range lies wholly inside the window's tokens.
    public func positions(covering utf8Range: Range<Int>) -> ClosedRange<Int>? {
        guard let firstOffset = passageOffsets.first, let lastOffset = passageOffsets.last,
              utf8Range.lowerBound >= firstOffset.lowerBound, utf8Range.upperBound <= lastOffset.upperBound,
              !utf8Range.isEmpty else { return nil }
        guard let first = passageOffsets.firstIndex(where: { $0.upperBound > utf8Range.lowerBound }),
              let last = passageOffsets.lastIndex(where: { $0.lowerBound < utf8Range.upperBound }), first <= last else { return nil }
        return (passagePositions.lowerBound + first)...(passagePositions.lowerBound + last)
    }

    /// The passage text covered by the tokens at positions `first...last` of `ids` (both passage tokens).
    public func text(in passage: String, from first: Int, through last: Int) -> Substring {
        let lower = passageOffsets[first - passagePositions.lowerBound].lowerBound
        let upper = passageOffsets[last - passagePositions.lowerBound].upperBound
        return passage.substring(utf8Offsets: lower..<max(lower, upper))
    }
}

extension String {
    /// The substring at UTF-8 offsets `range` (offsets as `BertTokenizer` reports them: on scalar boundaries).
    public func substring(utf8Offsets range: Range<Int>) -> Substring {
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(start, offsetBy: range.count)
        return self[start..<end]
    }

    /// The scalar offset of UTF-8 offset `utf8Offset` (clamped to the end): `ask --json` gives answer
    /// positions in code points, as SQuAD does.
    public func scalarOffset(ofUTF8Offset utf8Offset: Int) -> Int {
        let index = utf8.index(utf8.startIndex, offsetBy: Swift.min(utf8Offset, utf8.count))
        return unicodeScalars.distance(from: unicodeScalars.startIndex, to: index)
    }

    /// The UTF-8 offset of the Unicode scalar at `scalarOffset` (SQuAD's `answer_start` counts scalars).
    public func utf8Offset(ofScalarOffset scalarOffset: Int) -> Int {
        let index = unicodeScalars.index(unicodeScalars.startIndex, offsetBy: scalarOffset)
        return utf8.distance(from: utf8.startIndex, to: index)
    }
}
