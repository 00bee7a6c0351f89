import Foundation
import QuarryText

/// A document in a query's ranking, with the score it was ranked by.
public struct RankedDocument: Sendable, Equatable {
    public var documentID: String
    public var score: Double

    public init(documentID: String, score: Double) {
        self.documentID = documentID
        self.score = score
    }
}

/// Rankings of documents as trec_eval sees them.
public enum DocumentRanking {
    /// trec_eval's order: it ignores the rank column and sorts by score, highest first, breaking ties by document
    /// id in *descending* byte order (`strcmp` reversed). Applying the same order here keeps our figures equal to
    /// trec_eval's on the run file we write, ties included.
    public static func trecOrder(_ documents: [RankedDocument]) -> [RankedDocument] {
        documents.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            return b.documentID.utf8.lexicographicallyPrecedes(a.documentID.utf8)
        }
    }

    /// Passages to documents: a retriever ranks passages, judgements name documents, so each document is
    /// ranked by its best passage's score (MaxP) and appears once; then `trecOrder`.
    public static func maxP(_ passages: [(documentID: String, score: Double)]) -> [RankedDocument] {
        var best: [String: Double] = [:]
        for passage in passages where best[passage.documentID].map({ passage.score > $0 }) ?? true {
            best[passage.documentID] = passage.score
        }
        return trecOrder(best.map { RankedDocument(documentID: $0.key, score: $0.value) })
    }
}

/// trec_eval's measures for one query, from its ranked document ids (best first, already in `trecOrder`) and
/// its judgements (document id → grade).
///
/// Conventions, as trec_eval 9 computes them:
/// - relevant means grade ≥ 1 (`RelevanceJudgements.relevantGrade`, trec_eval's default `-l 1`); unjudged
///   documents are not relevant;
/// - recall@k (`recall_k`) = relevant documents in the top k ÷ all relevant documents of the query; not capped
///   at k (a query with 50 relevant documents has recall@10 ≤ 0.2); 0 when the query has none;
/// - MRR@10 (`recip_rank` over the top 10) = 1 ÷ the rank of the first relevant document within the top 10, else 0;
/// - nDCG@10 (`ndcg_cut_10`): gain = the grade (grades ≤ 0 give 0), discount log2(rank + 1) with ranks from 1;
///   the ideal ranking sorts all the query's judged grades, highest first, cut at 10; 0 when the ideal is 0.
public enum RankingMetrics {
    public static func recall(_ ranked: [String], grades: [String: Int], at k: Int) -> Double {
        let relevant = grades.values.filter { $0 >= RelevanceJudgements.relevantGrade }.count
        guard relevant > 0 else { return 0 }
        let found = ranked.prefix(k).filter { (grades[$0] ?? 0) >= RelevanceJudgements.relevantGrade }.count
        return Double(found) / Double(relevant)
    }

    public static func reciprocalRank(_ ranked: [String], grades: [String: Int], cutoff: Int = 10) -> Double {
        guard let rank = ranked.prefix(cutoff).firstIndex(where: { (grades[$0] ?? 0) >= RelevanceJudgements.relevantGrade }) else {
            return 0
        }
        return 1 / Double(rank + 1)
    }

    public static func ndcg(_ ranked: [String], grades: [String: Int], cutoff: Int = 10) -> Double {
        func dcg(_ gains: [Int]) -> Double {
            gains.prefix(cutoff).enumerated().reduce(0) { $0 + Double(max($1.element, 0)) / log2(Double($1.offset + 2)) }
        }
        let ideal = dcg(grades.values.sorted(by: >))
        guard ideal > 0 else { return 0 }
        return dcg(ranked.map { grades[$0] ?? 0 }) / ideal
    }
}

/// Means of the ranking measures over the evaluated queries.
public struct RankingTotals: Sendable, Equatable {
    /// The recall cut-offs, increasing.
    public let recallCutoffs: [Int]
    public private(set) var queries = 0
    private var recallSums: [Double]
    private var reciprocalRankSum = 0.0
    private var ndcgSum = 0.0

    public init(recallCutoffs: [Int] = [10, 100]) {
        self.recallCutoffs = Array(Set(recallCutoffs.filter { $0 > 0 })).sorted()
        recallSums = [Double](repeating: 0, count: self.recallCutoffs.count)
    }

    /// Adds one query's ranking (document ids in `DocumentRanking.trecOrder`).
    public mutating func add(_ ranked: [String], grades: [String: Int]) {
        queries += 1
        for (i, k) in recallCutoffs.enumerated() { recallSums[i] += RankingMetrics.recall(ranked, grades: grades, at: k) }
        reciprocalRankSum += RankingMetrics.reciprocalRank(ranked, grades: grades)
        ndcgSum += RankingMetrics.ndcg(ranked, grades: grades)
    }

    private func mean(_ sum: Double) -> Double { queries == 0 ? 0 : sum / Double(queries) }

    /// Mean recall@k for each cut-off (0–1).
    public var recall: [Int: Double] {
        Dictionary(uniqueKeysWithValues: zip(recallCutoffs, recallSums.map(mean)))
    }

    /// Mean reciprocal rank within the top 10 (0–1).
    public var mrr10: Double { mean(reciprocalRankSum) }
    /// Mean nDCG@10 (0–1).
    public var ndcg10: Double { mean(ndcgSum) }
}
