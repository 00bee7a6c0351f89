import Foundation
import QuarryStore
import QuarryText

/// Supervision from relevance judgements instead of answers: a query's positives are the passages of the
/// documents judged relevant to it (grade ≥ 1). Among them the one BM25 ranks highest for the query is the
/// positive (the same preference as `DistantSupervision`); none of them is ever a negative. Passages of
/// unjudged documents may be drawn as negatives, as they are for answers.
public struct JudgedSupervision {
    public let judgements: RelevanceJudgements
    /// Rows of the corpus holding each relevant document's passages.
    private let rowsByDocument: [String: [Int]]
    public var bm25Depth: Int
    public var bm25Negatives: Int

    public init(judgements: RelevanceJudgements, corpus: TrainingCorpus, store: CorpusStore,
                bm25Depth: Int = 100, bm25Negatives: Int = 32) throws {
        self.judgements = judgements
        self.bm25Depth = bm25Depth
        self.bm25Negatives = bm25Negatives
        let relevant = Set(judgements.grades.values.flatMap { $0.filter { $0.value >= RelevanceJudgements.relevantGrade }.keys })
        let rowOfID = corpus.rowsByID()
        rowsByDocument = try store.passageIDs(ofDocuments: relevant).mapValues { $0.compactMap { rowOfID[$0] } }
    }

    /// The rows of the passages of the documents relevant to `query`, sorted.
    public func relevantRows(_ query: String) -> [Int] {
        judgements.relevant(to: query).flatMap { rowsByDocument[$0] ?? [] }.sorted()
    }

    /// Supervised training queries; a query none of whose relevant documents is in the store is counted and skipped.
    public func supervise(_ queries: [JudgedQuery], store: CorpusStore, corpus: TrainingCorpus,
                          queryTokens: (QAExample) -> [Int]) throws -> ([SupervisedQuestion], SupervisionSummary) {
        var summary = SupervisionSummary()
        var result: [SupervisedQuestion] = []
        let rowOfID = corpus.rowsByID()
        let distant = DistantSupervision(bm25Depth: bm25Depth, bm25Negatives: bm25Negatives)
        for query in queries {
            summary.questions += 1
            let bearing = relevantRows(query.id)
            guard !bearing.isEmpty else { summary.withoutAnswerBearingPassage += 1; continue }
            let ranked = try store.bm25Search(query: query.text, k: bm25Depth).compactMap { rowOfID[$0.passageID] }
            result.append(distant.supervised(query.example, queryTokens: queryTokens(query.example), bearing: bearing,
                                             ranked: ranked, summary: &summary))
        }
        return (result, summary)
    }

    /// Evaluation queries: a hit is a passage of a relevant document in the top k.
    public func evaluationQuestions(_ queries: [JudgedQuery], queryTokens: (QAExample) -> [Int]) -> [EvaluationQuestion] {
        queries.map { EvaluationQuestion(example: $0.example, queryTokens: queryTokens($0.example), answerBearing: Set(relevantRows($0.id))) }
    }
}
