/// How a reader turns a question and a passage into inputs and answer spans; saved with the reader.
public struct ReaderConfiguration: Codable, Equatable, Sendable {
    /// Longest input, special tokens included (at most the encoder's positions).
    public var maxSequenceLength: Int
    /// The question keeps at most this many word pieces.
    public var maxQuestionTokens: Int
    /// Word pieces shared by consecutive windows of a passage too long for one input.
    public var windowOverlap: Int
    /// Longest answer span, in word pieces.
    public var maxAnswerTokens: Int
    /// How spans are scored across the windows read for a question: the rule the reader was trained for
    /// (readers saved before the rule was recorded were trained per window, with relevance).
    public var spanScoring: SpanScoringRule
    /// Passages read per question when `ask`/`eval` are not told (`--read`): as many as the reader was
    /// trained to tell apart (its positive and negatives per question). Nil for readers saved before it was
    /// recorded; they read `QuestionAnswerer`'s default.
    public var readPassages: Int?

    enum CodingKeys: String, CodingKey {
        case maxSequenceLength = "max_sequence_length"
        case maxQuestionTokens = "max_question_tokens"
        case windowOverlap = "window_overlap"
        case maxAnswerTokens = "max_answer_tokens"
        case spanScoring = "span_scoring"
        case readPassages = "read_passages"
    }

    /// `windowOverlap` nil: 64 tokens, or half a window's passage room when that is less.
    public init(maxSequenceLength: Int = 256, maxQuestionTokens: Int = 64, windowOverlap: Int? = nil, maxAnswerTokens: Int = 15,
                spanScoring: SpanScoringRule = .windowRelevance, readPassages: Int? = nil) {
        self.maxSequenceLength = maxSequenceLength
        self.maxQuestionTokens = maxQuestionTokens
        self.windowOverlap = windowOverlap ?? min(64, max(0, (maxSequenceLength - maxQuestionTokens - 3) / 2))
        self.maxAnswerTokens = maxAnswerTokens
        self.spanScoring = spanScoring
        self.readPassages = readPassages
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxSequenceLength = try c.decode(Int.self, forKey: .maxSequenceLength)
        maxQuestionTokens = try c.decode(Int.self, forKey: .maxQuestionTokens)
        windowOverlap = try c.decode(Int.self, forKey: .windowOverlap)
        maxAnswerTokens = try c.decode(Int.self, forKey: .maxAnswerTokens)
        spanScoring = try c.decodeIfPresent(SpanScoringRule.self, forKey: .spanScoring) ?? .windowRelevance
        readPassages = try c.decodeIfPresent(Int.self, forKey: .readPassages)
    }

    /// Why the configuration cannot be used, or nil.
    public var problem: String? {
        if let readPassages, readPassages < 1 { return "a reader must read at least one passage" }
        if maxAnswerTokens < 1 { return "the longest answer must be at least one token" }
        if maxQuestionTokens < 1 { return "the question must keep at least one token" }
        if maxSequenceLength < maxQuestionTokens + 8 { return "inputs of \(maxSequenceLength) tokens leave no room for the passage" }
        if windowOverlap < 0 || windowOverlap >= maxSequenceLength - maxQuestionTokens - 3 {
            return "window overlap \(windowOverlap) must be below the passage room of a window"
        }
        return nil
    }
}
