import Foundation
import QuarryRetrieval
import QuarryText

/// An answer with the passage that supports it.
public struct Answer: Sendable, Equatable {
    public var text: String
    /// Log-probability under the reader (merged over the passages that hold the answer).
    public var logScore: Double
    public var probability: Double { exp(logScore) }
    /// The passage of the best span, its title and id.
    public var passage: ReaderPassage
    /// Where the answer lies in `passage.text` (UTF-8 offsets).
    public var utf8Range: Range<Int>
    /// The sentence holding the answer, the answer marked «…».
    public var evidence: String
    /// How many spans in the read passages gave this answer.
    public var occurrences: Int
}

/// What `ask` and `eval` produce for one question.
public struct AnswerResult: Sendable {
    public var question: String
    /// The passages retrieved, best first (empty in gold-context mode).
    public var retrieved: [RetrievedPassage]
    /// Answers, best first (empty without a reader).
    public var answers: [Answer]
    public var retrievalSeconds: Double
    public var readingSeconds: Double
    /// The top answer under each of the answerer's `comparedRules` (empty string: none found).
    public var comparedAnswers: [SpanScoringRule: String] = [:]
}

/// Retrieve-then-read: a retriever ranks passages, a reader (when there is one) scores spans in the best
/// `readDepth` of them.
public final class QuestionAnswerer {
    public let retriever: (any Retriever)?
    public let reader: ExtractiveReader?
    /// Passages retrieved per question.
    public var retrieveDepth: Int
    /// Of those, how many the reader reads.
    public var readDepth: Int
    /// Answers kept per question.
    public var answerLimit = 5
    /// Other span scoring rules whose top answers are also reported (same encoder pass; for comparisons).
    public var comparedRules: [SpanScoringRule] = []

    public init(retriever: (any Retriever)?, reader: ExtractiveReader?, retrieveDepth: Int = 10, readDepth: Int = 10) {
        self.retriever = retriever
        self.reader = reader
        self.retrieveDepth = retrieveDepth
        self.readDepth = readDepth
    }

    /// Answers a batch of questions (retrieval is batched, which the dense retriever's search likes).
    public func answer(_ questions: [String]) throws -> [AnswerResult] {
        let started = Date()
        let retrieved = try retriever?.retrieve(questions, k: max(retrieveDepth, readDepth))
            ?? [[RetrievedPassage]](repeating: [], count: questions.count)
        let retrievalSeconds = Date().timeIntervalSince(started) / Double(max(questions.count, 1))
        return try zip(questions, retrieved).map { question, passages in
            let readStart = Date()
            let (answers, compared) = try readComparing(question, passages: Array(passages.prefix(readDepth)).map(\.readerPassage))
            return AnswerResult(question: question, retrieved: passages, answers: answers,
                                retrievalSeconds: retrievalSeconds, readingSeconds: Date().timeIntervalSince(readStart),
                                comparedAnswers: compared)
        }
    }

    /// Reads given passages (gold-context mode, or passages from elsewhere).
    public func read(_ question: String, passages: [ReaderPassage]) throws -> [Answer] {
        try readComparing(question, passages: passages).answers
    }

    /// The answers under the reader's own rule, and the top answer under each of `comparedRules`.
    public func readComparing(_ question: String, passages: [ReaderPassage]) throws -> (answers: [Answer], compared: [SpanScoringRule: String]) {
        guard let reader, !passages.isEmpty else { return ([], [:]) }
        let lists = try reader.read(question: question, passages: passages, limit: answerLimit,
                                    rules: [reader.spanScoring] + comparedRules)
        let answers = lists[0].map { found in
            let passage = passages[found.best.passageIndex]
            return Answer(text: found.text, logScore: found.logScore, passage: passage, utf8Range: found.best.utf8Range,
                          evidence: EvidenceSentence.marked(passage.text, answer: found.best.utf8Range),
                          occurrences: found.occurrences)
        }
        var compared: [SpanScoringRule: String] = [:]
        for (rule, list) in zip(comparedRules, lists.dropFirst()) { compared[rule] = list.first?.text ?? "" }
        return (answers, compared)
    }
}
