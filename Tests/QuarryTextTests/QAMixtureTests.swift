import QuarryText
import XCTest

final class QAMixtureTests: XCTestCase {
    private func questions(_ n: Int, prefix: String = "q") -> [QAExample] {
        (0..<n).map { QAExample(id: "\(prefix)\($0)", question: "What is item \($0)?", answers: ["\($0)"]) }
    }

    func testPartsParseWeightsAndKeepOtherColons() {
        XCTAssertEqual(QAMixturePart(parsing: "squad.json"), QAMixturePart(path: "squad.json", weight: 1))
        XCTAssertEqual(QAMixturePart(parsing: "squad.json:2.5"), QAMixturePart(path: "squad.json", weight: 2.5))
        XCTAssertEqual(QAMixturePart(parsing: "data/a:b.json"), QAMixturePart(path: "data/a:b.json", weight: 1))
        XCTAssertNil(QAMixturePart(parsing: "squad.json:0"))
        XCTAssertNil(QAMixturePart(parsing: "squad.json:-1"))
        XCTAssertNil(QAMixturePart(parsing: ":2"))
    }

    func testWeightsRepeatAndTakeEvenShares() {
        let a = questions(10, prefix: "a"), b = questions(7, prefix: "b")
        let mixed = QAMixture.mix([(a, 2), (b, 0.5)])
        XCTAssertEqual(mixed.count, 20 + 3)
        XCTAssertEqual(mixed.filter { $0.id == "1/a3" }.count, 2)
        // Half of seven, evenly spread: the 2nd, 4th and 6th.
        XCTAssertEqual(mixed.suffix(3).map(\.id), ["2/b1", "2/b3", "2/b5"])
        XCTAssertEqual(Set(mixed.map(\.id)).count, 13)
        // One set keeps its ids.
        XCTAssertEqual(QAMixture.mix([(a, 1)]).map(\.id), a.map(\.id))
        XCTAssertEqual(QAMixture.evenShare(questions(1000), share: 0.25).count, 250)
    }

    func testSearchStyleVariants() {
        XCTAssertEqual(QuestionStyle.search.apply(to: "  Who wrote  'Dune' ? "), "who wrote 'dune'")
        XCTAssertEqual(QuestionStyle.asked.apply(to: "Who?"), "Who?")
        let base = questions(4) + [QAExample(id: "plain", question: "already plain", answers: ["x"])]
        let all = QAMixture.withSearchStyleVariants(base, share: 1)
        XCTAssertEqual(all.count, 9, "a question that is already search-style gets no copy")
        XCTAssertEqual(all[5].id, "q0#search")
        XCTAssertEqual(all[5].question, "what is item 0")
        XCTAssertEqual(all[5].answers, ["0"])
        XCTAssertEqual(QAMixture.withSearchStyleVariants(base, share: 0).count, 5)
    }
}
