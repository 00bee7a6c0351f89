import XCTest
@testable import QuarryRetrieval

final class RankFusionTests: XCTestCase {
    func testReciprocalRankFusionSumsOneOverKPlusRank() {
        let fused = RankFusion.reciprocalRank([[10, 20, 30], [30, 10, 40]], k: 60)
        let expected: [Int: Double] = [
            10: 1 / 61.0 + 1 / 62.0, 20: 1 / 62.0, 30: 1 / 63.0 + 1 / 61.0, 40: 1 / 63.0,
        ]
        XCTAssertEqual(fused.map(\.id), [10, 30, 20, 40])
        for item in fused { XCTAssertEqual(item.score, expected[item.id]!, accuracy: 1e-15) }
    }

    func testReciprocalRankFusionTiesGoToTheLowerIDAndLimitCuts() {
        // 7 and 3 each hold rank 1 once and rank 2 once: equal fused scores.
        let fused = RankFusion.reciprocalRank([[7, 3], [3, 7], [5]], limit: 2)
        XCTAssertEqual(fused.map(\.id), [3, 7])
        XCTAssertEqual(fused[0].score, fused[1].score)
        XCTAssertEqual(RankFusion.reciprocalRank([]), [])
    }

    func testReciprocalRankFusionCountsARepeatedIDOnce() {
        let fused = RankFusion.reciprocalRank([[1, 1, 2]], k: 0)
        XCTAssertEqual(fused, [ScoredID(id: 1, score: 1), ScoredID(id: 2, score: 1 / 3.0)])
    }

    func testInterpolationOfMinMaxNormalisedScores() {
        let bm25 = [ScoredID(id: 1, score: 12), ScoredID(id: 2, score: 8), ScoredID(id: 3, score: 4)]
        let dense = [ScoredID(id: 3, score: 0.9), ScoredID(id: 4, score: 0.7), ScoredID(id: 1, score: 0.5)]
        let fused = RankFusion.interpolated(bm25, dense, weight: 0.25)
        // bm25 normalised: 1 → 1, 2 → 0.5, 3 → 0; dense: 3 → 1, 4 → 0.5, 1 → 0.
        let expected: [Int: Double] = [1: 0.25, 2: 0.125, 3: 0.75, 4: 0.375]
        XCTAssertEqual(fused.map(\.id), [3, 4, 1, 2])
        for item in fused { XCTAssertEqual(item.score, expected[item.id]!, accuracy: 1e-12) }
    }

    func testInterpolationWeightEndsReproduceOneListAndConstantListsMapToOne() {
        let a = [ScoredID(id: 5, score: 2), ScoredID(id: 6, score: 1)]
        let b = [ScoredID(id: 7, score: 3), ScoredID(id: 8, score: 3)]
        XCTAssertEqual(RankFusion.interpolated(a, b, weight: 1).prefix(2).map(\.id), [5, 6])
        let onlyB = RankFusion.interpolated(a, b, weight: 0)
        XCTAssertEqual(Array(onlyB.prefix(2)), [ScoredID(id: 7, score: 1), ScoredID(id: 8, score: 1)])
        XCTAssertEqual(RankFusion.interpolated([], [], limit: 3), [])
    }
}
