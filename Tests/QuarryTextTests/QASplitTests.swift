import QuarryText
import XCTest

/// The article split that `eval`, `train reader` and `train retriever` share (`--split`, `--test-share`).
final class QASplitTests: XCTestCase {
    private func example(_ id: String, article: String? = nil, title: String? = nil) -> QAExample {
        QAExample(id: id, question: "q \(id)", answers: ["a"], title: title, article: article)
    }

    /// FNV-1a (64-bit) of the article name modulo 1000, worked out by hand: Teacher 157, Pharmacy 188,
    /// Private_school 93, Super_Bowl_50 255, Normans 997; the test side is below share × 1000.
    func testSideFollowsTheHashOfTheArticle() {
        for (article, side) in [("Teacher", QASplit.test), ("Pharmacy", .test), ("Private_school", .test),
                                ("Super_Bowl_50", .train), ("Normans", .train)] {
            XCTAssertEqual(QASplit.side(of: example("1", article: article)), side, article)
        }
        XCTAssertEqual(QASplit.side(of: example("1", article: "Super_Bowl_50"), testShare: 0.3), .test, "255 < 300")
        XCTAssertEqual(QASplit.side(of: example("1", article: "Pharmacy"), testShare: 0.15), .train, "188 ≥ 150")
    }

    /// Every question of an article lands on one side; without an article the title decides, then the id.
    func testQuestionsOfOneArticleStayTogether() {
        let examples = (0..<40).map { example("q\($0)", article: ["Teacher", "Normans"][$0 % 2]) }
        let test = QASplit.test.select(examples), train = QASplit.train.select(examples)
        XCTAssertEqual(test.count + train.count, examples.count)
        XCTAssertEqual(Set(test.compactMap(\.article)), ["Teacher"])
        XCTAssertEqual(Set(train.compactMap(\.article)), ["Normans"])
        XCTAssertEqual(QASplit.side(of: example("x", title: "Teacher")), .test, "title when there is no article")
        XCTAssertEqual(QASplit.side(of: example("Teacher")), .test, "id when there is neither")
    }

    func testShareBoundsAreAllOrNothing() {
        let examples = (0..<200).map { example("q\($0)", article: "article \($0)") }
        XCTAssertEqual(QASplit.test.select(examples, testShare: 0).count, 0)
        XCTAssertEqual(QASplit.test.select(examples, testShare: 1).count, 200)
        let fifth = QASplit.test.select(examples, testShare: 0.2).count
        XCTAssertTrue((20...60).contains(fifth), "about a fifth of 200 articles, got \(fifth)")
    }
}
