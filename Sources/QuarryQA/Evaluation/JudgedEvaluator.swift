import Foundation
import QuarryRetrieval
import QuarryText

/// How `JudgedEvaluator` runs.
public struct JudgedEvaluationOptions: Sendable {
    /// Recall cut-offs (MRR and nDCG are at 10).
    public var recallCutoffs = [10, 100]
    /// Questions retrieved together.
    public var batchSize = 32

    public init() {}

    /// Documents ranked per query: enough for every measure (and the run file's length).
    public var depth: Int { max(10, recallCutoffs.max() ?? 10) }
}

/// One query's document ranking, best first (`DocumentRanking.trecOrder`).
public struct JudgedQueryOutcome: Sendable {
    public var query: JudgedQuery
    public var ranking: [RankedDocument]
    /// Whether the query has judgements (and so counts in the means).
    public var judged: Bool
}

/// What a judged evaluation measured.
public struct JudgedEvaluationReport: Sendable {
    public var totals: RankingTotals
    /// Queries run.
    public var queries = 0
    /// Queries without any judgement: run (and written to a run file) but not scored, as trec_eval ignores them.
    public var unjudgedQueries = 0
    /// Judged queries with no relevant document: scored 0 on every measure, as trec_eval scores them.
    public var queriesWithoutRelevant = 0
    /// Queries of the judgements that are not among the queries run (their text is missing).
    public var judgedButNotRun = 0
    public var seconds = 0.0
}

/// Scores a retriever against relevance judgements, as trec_eval would score the run it produces: each query's
/// passages are turned into a document ranking (MaxP: a document's score is its best passage's) deep enough
/// for recall@max-cut-off, then recall@k, MRR@10 and nDCG@10 (`RankingMetrics`) are averaged over the judged
/// queries.
public struct JudgedEvaluator {
    public let retriever: any Retriever
    /// The judged document id of each passage (a TREC DOCNO, a BEIR `_id`); passages missing from the result
    /// (gone from the store) are dropped.
    public let documentIDs: ([Int64]) throws -> [Int64: String]
    /// Passages in the store: the deepest a ranking can go.
    public let passageCount: Int
    public let options: JudgedEvaluationOptions

    public init(retriever: any Retriever, documentIDs: @escaping ([Int64]) throws -> [Int64: String],
                passageCount: Int, options: JudgedEvaluationOptions = JudgedEvaluationOptions()) {
        self.retriever = retriever
        self.documentIDs = documentIDs
        self.passageCount = passageCount
        self.options = options
    }

    public func run(_ queries: [JudgedQuery], judgements: RelevanceJudgements,
                    each: (JudgedQueryOutcome) throws -> Void = { _ in }) throws -> JudgedEvaluationReport {
        var report = JudgedEvaluationReport(totals: RankingTotals(recallCutoffs: options.recallCutoffs))
        report.judgedButNotRun = Set(judgements.grades.keys).subtracting(queries.map(\.id)).count
        let started = Date()
        let batchSize = max(1, options.batchSize)
        for start in stride(from: 0, to: queries.count, by: batchSize) {
            let batch = Array(queries[start..<min(queries.count, start + batchSize)])
            for (query, ranking) in zip(batch, try rank(batch.map(\.text))) {
                let grades = judgements.grades[query.id]
                report.queries += 1
                if let grades {
                    report.totals.add(ranking.map(\.documentID), grades: grades)
                    if judgements.relevant(to: query.id).isEmpty { report.queriesWithoutRelevant += 1 }
                } else {
                    report.unjudgedQueries += 1
                }
                try each(JudgedQueryOutcome(query: query, ranking: ranking, judged: grades != nil))
            }
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Each question's top `options.depth` documents. Passages are fetched twice as deep as the documents
    /// needed; a question whose passages fold into too few documents while the retriever filled its page is
    /// fetched again, four times deeper, until it has enough or the store has no more passages.
    func rank(_ questions: [String]) throws -> [[RankedDocument]] {
        let depth = options.depth
        var k = min(passageCount, 2 * depth)
        var retrieved = try retriever.retrieve(questions, k: k)
        var rankings = try documents(retrieved)
        var short = questions.indices.filter { rankings[$0].count < depth && retrieved[$0].count >= k }
        while !short.isEmpty && k < passageCount {
            k = min(passageCount, 4 * k)
            retrieved = try retriever.retrieve(short.map { questions[$0] }, k: k)
            let deeper = try documents(retrieved)
            for (index, ranking) in zip(short, deeper) { rankings[index] = ranking }
            short = zip(short, retrieved).filter { rankings[$0.0].count < depth && $0.1.count >= k }.map(\.0)
        }
        return rankings.map { Array($0.prefix(depth)) }
    }

    private func documents(_ retrieved: [[RetrievedPassage]]) throws -> [[RankedDocument]] {
        let ids = try documentIDs(retrieved.flatMap { $0.map(\.passageID) })
        return retrieved.map { passages in
            DocumentRanking.maxP(passages.compactMap { p in ids[p.passageID].map { (documentID: $0, score: p.score) } })
        }
    }
}
