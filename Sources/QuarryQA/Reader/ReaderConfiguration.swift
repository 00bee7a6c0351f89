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

    enum CodingKeys: String, CodingKey {
        case maxSequenceLength = "max_sequence_length"
        case maxQuestionTokens = "max_question_tokens"
        case windowOverlap = "window_overlap"
        case maxAnswerTokens = "max_answer_tokens"
    }

    /// `windowOverlap` nil: 64 tokens, or half a window's passage room when that is less.
    public init(maxSequenceLength: Int = 256, maxQuestionTokens: Int = 64, windowOverlap: Int? = nil, maxAnswerTokens: Int = 15) {
        self.maxSequenceLength = maxSequenceLength
        self.maxQuestionTokens = maxQuestionTokens
        self.windowOverlap = windowOverlap ?? min(64, max(0, (maxSequenceLength - maxQuestionTokens - 3) / 2))
        self.maxAnswerTokens = maxAnswerTokens
    }

    /// Why the configuration cannot be used, or nil.
    public var problem: String? {
        if maxAnswerTokens < 1 { return "the longest answer must be at least one token" }
        if maxQuestionTokens < 1 { return "the question must keep at least one token" }
        if maxSequenceLength < maxQuestionTokens + 8 { return "inputs of \(maxSequenceLength) tokens leave no room for the passage" }
        if windowOverlap < 0 || windowOverlap >= maxSequenceLength - maxQuestionTokens - 3 {
            return "window overlap \(windowOverlap) must be below the passage room of a window"
        }
        return nil
    }
}
