import Foundation
import QuarryRetrieval
import XCTest

final class TopKAccuracyTests: XCTestCase {
    func testCountsEachQuestionAtItsFirstAnswerBearingRank() {
        var accuracy = TopKAccuracy(ks: [1, 5, 2])
        XCTAssertEqual(accuracy.ks, [1, 2, 5])
        let passages = ["The Broncos lost.", "Denver Broncos won Super Bowl 50.", "Unrelated."]
        XCTAssertEqual(TopKAccuracy.firstHitRank(rankedPassages: passages, answers: ["denver broncos"]), 1)
        XCTAssertNil(TopKAccuracy.firstHitRank(rankedPassages: passages, answers: ["Denver Bronco"]))
        XCTAssertNil(TopKAccuracy.firstHitRank(rankedPassages: passages, answers: ["the"]))
        accuracy.add(rankedPassages: passages, answers: ["Denver Broncos"])
        accuracy.add(firstHitRank: 0)
        accuracy.add(firstHitRank: 4)
        accuracy.add(firstHitRank: nil)
        XCTAssertEqual(accuracy.percentages, [1: 25, 2: 50, 5: 75])
    }

    func testCodableFormIsTheMetricsLogs() throws {
        var accuracy = TopKAccuracy(ks: [5, 1])
        accuracy.add(firstHitRank: 2)
        let json = String(decoding: try JSONEncoder().encode(accuracy), as: UTF8.self)
        for key in ["\"ks\":[1,5]", "\"questions\":1", "\"hits\":[0,1]"] { XCTAssertTrue(json.contains(key), json) }
        XCTAssertEqual(try JSONDecoder().decode(TopKAccuracy.self, from: Data(json.utf8)), accuracy)
        XCTAssertEqual(accuracy.summary, "top-1 0.0%  top-5 100.0%")
        XCTAssertNil(accuracy.percentage(at: 20))
    }
}
