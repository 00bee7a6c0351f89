import Foundation
import XCTest
import QuarryTestSupport
import QuarryText
@testable import QuarryQA

final class AnswerMetricsTests: XCTestCase {
    func testHandMadeCasesForEveryNormalisationRule() {
        // Case, punctuation, articles, whitespace: each alone makes EM 1.
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "DENVER Broncos", answer: "Denver Broncos"), 1)
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "Denver Broncos.", answer: "\"Denver Broncos\""), 1)
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "the Denver Broncos", answer: "Denver Broncos"), 1)
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: " Denver\n  Broncos ", answer: "Denver Broncos"), 1)
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "an apple", answer: "a apple"), 1)
        // Not normalised away: inner articles-as-substrings, accents, non-ASCII punctuation, word order.
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "theatre", answer: "atre"), 0)
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "cafe", answer: "café"), 0)
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "“Denver”", answer: "Denver"), 0)
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "Broncos Denver", answer: "Denver Broncos"), 0)
        // Hyphens vanish rather than split: "Jean-Paul" is one token "jeanpaul".
        XCTAssertEqual(AnswerMetrics.f1(prediction: "Jean-Paul Sartre", answer: "Jean Paul Sartre"), 2 * (1.0 / 2) * (1.0 / 3) / (1.0 / 2 + 1.0 / 3))
    }

    func testF1CountsCommonTokensAsMultisets() {
        // prediction "a b b c" → tokens [b, b, c]; answer "b c c d" → [b, c, c, d]: common b×1, c×1 = 2.
        let f1 = AnswerMetrics.f1(prediction: "a b b c", answer: "b c c d")
        let precision = 2.0 / 3, recall = 2.0 / 4
        XCTAssertEqual(f1, 2 * precision * recall / (precision + recall), accuracy: 1e-12)
        XCTAssertEqual(AnswerMetrics.f1(prediction: "Paris", answer: "London"), 0)
        XCTAssertEqual(AnswerMetrics.f1(prediction: "the", answer: "the"), 0, "both normalise to nothing: no common token")
        XCTAssertEqual(AnswerMetrics.exactMatch(prediction: "the", answer: "a"), 1, "both normalise to the empty string")
        XCTAssertEqual(AnswerMetrics.f1(prediction: "x", gold: []), 0)
        XCTAssertEqual(AnswerMetrics.f1(prediction: "in 1901", gold: ["1902", "1901", "the year 1901"]), 2.0 / 3, accuracy: 1e-12)
    }

    func testTotalsInPercentWithMissingPredictions() {
        var totals = AnswerScoreTotals()
        totals.add(prediction: "Paris", gold: ["Paris"])
        totals.add(prediction: "Paris France", gold: ["Paris"])
        totals.add(prediction: nil, gold: ["Rome"])
        totals.add(prediction: "Berlin", gold: ["Rome"])
        XCTAssertEqual(totals.questions, 4)
        XCTAssertEqual(totals.answered, 3)
        XCTAssertEqual(totals.exactMatch, 25, accuracy: 1e-12)
        XCTAssertEqual(totals.f1, 100 * (1 + 2.0 / 3) / 4, accuracy: 1e-12)
    }

    /// An independent statement of the official F1: sorted token lists merged like a multiset intersection.
    private func referenceF1(_ prediction: String, _ gold: [String]) -> Double {
        let p = AnswerNormalization.normalize(prediction).split(separator: " ").map(String.init).sorted()
        return gold.map { answer -> Double in
            let g = AnswerNormalization.normalize(answer).split(separator: " ").map(String.init).sorted()
            var i = 0, j = 0, same = 0
            while i < p.count && j < g.count {
                if p[i] == g[j] { same += 1; i += 1; j += 1 } else if p[i] < g[j] { i += 1 } else { j += 1 }
            }
            if same == 0 { return 0 }
            let precision = Double(same) / Double(p.count), recall = Double(same) / Double(g.count)
            return 2 * precision * recall / (precision + recall)
        }.max() ?? 0
    }

    func testPerturbedGoldAnswersOnSQuADDev() throws {
        let set = try QASetReader().read(TestResources.sharedData("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz"))
        let examples = set.examples
        XCTAssertEqual(examples.count, 10_570)

        // 1. The first gold answer itself: EM and F1 100.
        var exact = AnswerScoreTotals()
        for e in examples { exact.add(prediction: e.answers[0], gold: e.answers) }
        XCTAssertEqual(exact.exactMatch, 100)
        XCTAssertEqual(exact.f1, 100)

        // 2. Normalisation invariances: a leading article, surrounding punctuation and extra spaces.
        var decorated = AnswerScoreTotals()
        for e in examples { decorated.add(prediction: "The  \"" + e.answers[0] + "\" .", gold: e.answers) }
        XCTAssertEqual(decorated.exactMatch, 100)

        // 3. One foreign token appended: EM 0; with every gold normalising alike, F1 = 2n/(2n+1) exactly.
        var appended = AnswerScoreTotals()
        var sameGold = 0, expectedSum = 0.0, f1Sum = 0.0
        for e in examples {
            let prediction = e.answers[0] + " zyzzyva"
            appended.add(prediction: prediction, gold: e.answers)
            let normalised = Set(e.answers.map(AnswerNormalization.normalize))
            if normalised.count == 1, let n = normalised.first.map({ $0.split(separator: " ").count }), n > 0 {
                sameGold += 1
                expectedSum += 2.0 * Double(n) / Double(2 * n + 1)
                f1Sum += AnswerMetrics.f1(prediction: prediction, gold: e.answers)
            }
        }
        XCTAssertEqual(appended.exactMatch, 0)
        XCTAssertGreaterThan(sameGold, 2_000)
        XCTAssertEqual(f1Sum, expectedSum, accuracy: 1e-9)

        // 4. The last token dropped, and a neighbour's answer: agree with the independent statement, question by question.
        var totals = AnswerScoreTotals()
        var reference = 0.0
        for (i, e) in examples.enumerated() {
            let words = e.answers[0].split(separator: " ")
            let prediction = i % 2 == 0 ? words.dropLast().joined(separator: " ") : examples[(i + 1) % examples.count].answers[0]
            totals.add(prediction: prediction, gold: e.answers)
            let f1 = AnswerMetrics.f1(prediction: prediction, gold: e.answers)
            XCTAssertEqual(f1, referenceF1(prediction, e.answers), accuracy: 1e-12, "\(e.id)")
            reference += referenceF1(prediction, e.answers)
        }
        XCTAssertEqual(totals.f1, 100 * reference / Double(examples.count), accuracy: 1e-9)
        print("SQuAD dev perturbations: appended-token F1 \(appended.f1), dropped/neighbour EM \(totals.exactMatch) F1 \(totals.f1)")
    }

    private func write(_ text: String, _ name: String) throws -> URL {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func testPredictionFilesInBothFormats() throws {
        let examples = [
            QAExample(id: "q1", question: "Who won?", answers: ["Denver Broncos"]),
            QAExample(id: "q2", question: "When?", answers: ["2016", "February 7, 2016"]),
            QAExample(id: "q3", question: "Where?", answers: ["Santa Clara"]),
        ]
        let lines = try PredictionFile(contentsOf: write("""
        {"id": "q1", "answer": "the Broncos"}
        {"question": " When? ", "answer": "February 7, 2016"}
        """, "p.jsonl"))
        let scored = lines.score(examples)
        XCTAssertEqual(scored.answered, 2)
        XCTAssertEqual(scored.exactMatch, 100.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(scored.f1, 100 * ((2 * 1.0 * 0.5 / 1.5) + 1) / 3, accuracy: 1e-9)

        let official = try PredictionFile(contentsOf: write(#"{"q1": "Denver Broncos", "q3": "Levi's Stadium"}"#, "p.json"))
        XCTAssertEqual(official.score(examples).exactMatch, 100.0 / 3, accuracy: 1e-9)

        let bad = try write("{\"id\": \"q1\", \"answer\": \"x\"}\n{\"id\": \"q2\"}\n", "bad.jsonl")
        XCTAssertThrowsError(try PredictionFile(contentsOf: bad)) { error in
            XCTAssertEqual("\(error)", "\(bad.path):2: no \"answer\" string")
        }
    }
}
