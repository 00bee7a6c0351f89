import QuarryQA
import XCTest

/// trec_eval's measures (recall_k, recip_rank cut at 10, ndcg_cut_10) against values worked out by hand.
final class RankingMetricsTests: XCTestCase {
    /// Ranked d1…d5; judged d2 = 1, d4 = 2, d6 = 1 (never retrieved), d7 = 0: three relevant documents.
    private let ranked = ["d1", "d2", "d3", "d4", "d5"]
    private let grades = ["d2": 1, "d4": 2, "d6": 1, "d7": 0]

    func testRecallIsNotCappedAndCountsGradeOneAndAbove() {
        XCTAssertEqual(RankingMetrics.recall(ranked, grades: grades, at: 1), 0)
        XCTAssertEqual(RankingMetrics.recall(ranked, grades: grades, at: 2), 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.recall(ranked, grades: grades, at: 5), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.recall(ranked, grades: grades, at: 100), 2.0 / 3, accuracy: 1e-12, "d6 was never retrieved")
        XCTAssertEqual(RankingMetrics.recall(ranked, grades: ["d7": 0], at: 10), 0, "no relevant document: 0")
        let many = Dictionary(uniqueKeysWithValues: (0..<20).map { ("r\($0)", 1) })
        XCTAssertEqual(RankingMetrics.recall((0..<10).map { "r\($0)" }, grades: many, at: 10), 0.5, "ten of twenty, not capped at 10")
    }

    func testReciprocalRankIsCutAtTen() {
        XCTAssertEqual(RankingMetrics.reciprocalRank(ranked, grades: grades), 0.5)
        let late = (1...10).map { "n\($0)" } + ["d2"]
        XCTAssertEqual(RankingMetrics.reciprocalRank(late, grades: grades), 0, "first relevant at rank 11")
        XCTAssertEqual(RankingMetrics.reciprocalRank(Array(late.suffix(2)), grades: grades), 0.5)
        XCTAssertEqual(RankingMetrics.reciprocalRank(["d7", "d5"], grades: grades), 0, "grade 0 is not relevant")
    }

    /// DCG = 1/log2(3) + 2/log2(5) = 1.4922829; ideal (2, 1, 1, 0) = 2 + 1/log2(3) + 1/log2(4) = 3.1309298.
    func testNDCGUsesGradesLogDiscountAndTheJudgedIdeal() {
        XCTAssertEqual(RankingMetrics.ndcg(ranked, grades: grades), 0.4766261101885130, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.ndcg(["d4", "d2", "d6"], grades: grades), 1, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.ndcg(ranked, grades: ["d7": 0]), 0, "an ideal of 0 gives 0")
        // Twelve relevant documents, two retrieved at ranks 1 and 11: only rank 1 counts; the ideal is cut at 10.
        let twelve = Dictionary(uniqueKeysWithValues: (0..<12).map { ("r\($0)", 1) })
        let list = ["r0"] + (1...9).map { "n\($0)" } + ["r1"]
        XCTAssertEqual(RankingMetrics.ndcg(list, grades: twelve), 1 / 4.543559338088346, accuracy: 1e-12)
    }

    /// trec_eval sorts by score, then by document id in descending byte order ("9" before "10", "c" before "a").
    func testTrecOrderBreaksTiesByDescendingDocumentID() {
        let docs = [("a", 1.0), ("10", 2.0), ("c", 1.0), ("9", 2.0), ("b", 3.0)].map { RankedDocument(documentID: $0.0, score: $0.1) }
        XCTAssertEqual(DocumentRanking.trecOrder(docs).map(\.documentID), ["b", "9", "10", "c", "a"])
    }

    /// A document is ranked by its best passage and listed once.
    func testMaxPKeepsEachDocumentsBestPassage() {
        let ranking = DocumentRanking.maxP([("A", 3), ("B", 5), ("A", 4), ("C", 1), ("B", 0.5)])
        XCTAssertEqual(ranking, [RankedDocument(documentID: "B", score: 5), RankedDocument(documentID: "A", score: 4),
                                 RankedDocument(documentID: "C", score: 1)])
    }

    func testTotalsAverageOverQueries() {
        var totals = RankingTotals(recallCutoffs: [100, 2])
        totals.add(ranked, grades: grades)
        totals.add(["x"], grades: ["x": 3])
        XCTAssertEqual(totals.queries, 2)
        XCTAssertEqual(totals.recallCutoffs, [2, 100])
        XCTAssertEqual(totals.recall[2]!, (1.0 / 3 + 1) / 2, accuracy: 1e-12)
        XCTAssertEqual(totals.mrr10, 0.75, accuracy: 1e-12)
        XCTAssertEqual(totals.ndcg10, (0.4766261101885130 + 1) / 2, accuracy: 1e-12)
    }
}
