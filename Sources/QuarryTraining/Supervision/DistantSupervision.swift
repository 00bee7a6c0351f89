import Foundation
import QuarryStore
import QuarryText

/// A training question with its distantly supervised positive and what must never be its negative.
public struct SupervisedQuestion: Sendable {
    public var example: QAExample
    /// Token ids of the query prompt.
    public var queryTokens: [Int]
    /// Corpus row of the positive passage.
    public var positive: Int
    /// Every row whose text contains a gold answer (sorted): never used as a negative for this question.
    public var answerBearing: [Int]
    /// BM25's best rows for the question that hold no gold answer, best first (the `bm25` negatives).
    public var bm25Negatives: [Int]
}

/// A question to measure retrieval on: answered when a retrieved row contains a gold answer.
public struct EvaluationQuestion: Sendable {
    public var example: QAExample
    public var queryTokens: [Int]
    /// Rows whose text contains a gold answer; empty when the corpus holds none (always a miss).
    public var answerBearing: Set<Int>
}

/// How distant supervision went over a QA set.
public struct SupervisionSummary: Codable, Equatable, Sendable {
    /// Questions read.
    public var questions = 0
    /// Questions with a positive (used for training).
    public var supervised = 0
    /// Questions whose answers occur in no passage: skipped.
    public var withoutAnswerBearingPassage = 0
    /// Positives BM25 ranked within its top `bm25Depth`.
    public var positivesFromBM25 = 0
    /// Positives taken as the first answer-bearing passage because BM25 found none in its top list.
    public var positivesByFallback = 0

    public init() {}
}

/// Distant supervision: a passage is a positive for a question when its normalised text contains a
/// normalised gold answer as whole words; among those, the one BM25 ranks highest for the question wins.
public struct DistantSupervision: Sendable {
    public var bm25Depth: Int
    /// How many BM25 negatives to keep per question.
    public var bm25Negatives: Int

    public init(bm25Depth: Int = 100, bm25Negatives: Int = 32) {
        self.bm25Depth = bm25Depth
        self.bm25Negatives = bm25Negatives
    }

    /// Rows of the corpus whose text contains any of `answers`.
    public static func answerBearingRows(_ answers: [String], in corpus: TrainingCorpus) -> [Int] {
        corpus.containment.passages(containingAny: answers)
    }

    /// Supervised training questions (those without an answer-bearing passage are counted and skipped).
    public func supervise(
        _ examples: [QAExample], corpus: TrainingCorpus, store: CorpusStore, queryTokens: (QAExample) -> [Int]
    ) throws -> ([SupervisedQuestion], SupervisionSummary) {
        var summary = SupervisionSummary()
        var result: [SupervisedQuestion] = []
        let rowOfID = corpus.rowsByID()
        for example in examples {
            summary.questions += 1
            let bearing = Self.answerBearingRows(example.answers, in: corpus)
            guard !bearing.isEmpty else { summary.withoutAnswerBearingPassage += 1; continue }
            let ranked = try store.bm25Search(query: example.question, k: bm25Depth).compactMap { rowOfID[$0.passageID] }
            result.append(supervised(example, queryTokens: queryTokens(example), bearing: bearing, ranked: ranked, summary: &summary))
        }
        return (result, summary)
    }

    /// The question with its positive, the bearing row BM25 ranks highest (else the first), and BM25's best rows
    /// that bear nothing as its `bm25` negatives.
    func supervised(_ example: QAExample, queryTokens: [Int], bearing: [Int], ranked: [Int],
                    summary: inout SupervisionSummary) -> SupervisedQuestion {
        let bearingSet = Set(bearing)
        let positive: Int
        if let best = ranked.first(where: bearingSet.contains) {
            positive = best
            summary.positivesFromBM25 += 1
        } else {
            positive = bearing[0]
            summary.positivesByFallback += 1
        }
        summary.supervised += 1
        let negatives = Array(ranked.lazy.filter { !bearingSet.contains($0) }.prefix(bm25Negatives))
        return SupervisedQuestion(example: example, queryTokens: queryTokens, positive: positive,
                                  answerBearing: bearing, bm25Negatives: negatives)
    }

    /// Evaluation questions: every example is kept (one with no answer-bearing passage can only miss).
    public static func evaluationQuestions(_ examples: [QAExample], corpus: TrainingCorpus,
                                           queryTokens: (QAExample) -> [Int]) -> [EvaluationQuestion] {
        examples.map {
            EvaluationQuestion(example: $0, queryTokens: queryTokens($0),
                               answerBearing: Set(answerBearingRows($0.answers, in: corpus)))
        }
    }
}
