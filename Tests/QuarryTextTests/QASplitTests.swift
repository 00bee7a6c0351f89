import QuarryTestSupport
import QuarryText
import XCTest

/// The split (by article, or by paragraph) that `eval`, `train reader` and `train retriever` share (`--split`, `--test-share`).
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
        let articles = ["Teacher", "Normans", "Pharmacy", "Super_Bowl_50", "Private_school"] + (0..<7).map { "Article \($0)" }
        let examples = (0..<120).map { example("q\($0)", article: articles[$0 % articles.count]) }
        XCTAssertEqual(QASplitPlan(examples).unit, .article)
        let test = QASplit.test.select(examples), train = QASplit.train.select(examples)
        XCTAssertEqual(test.count + train.count, examples.count)
        XCTAssertTrue(Set(test.compactMap(\.article)).isDisjoint(with: Set(train.compactMap(\.article))))
        XCTAssertTrue(Set(test.compactMap(\.article)).isSuperset(of: ["Teacher", "Pharmacy", "Private_school"]))
        XCTAssertTrue(Set(train.compactMap(\.article)).isSuperset(of: ["Normans", "Super_Bowl_50"]))
        XCTAssertEqual(QASplit.side(of: example("x", title: "Teacher")), .test, "title when there is no article")
        XCTAssertEqual(QASplit.side(of: example("Teacher")), .test, "id when there is neither")
    }

    /// A set of one article (SQuADShifts Reddit) is split by paragraph: a paragraph's side is the hash of its text,
    /// every question of a paragraph shares it, and both sides get paragraphs.
    func testSingleArticleSetIsSplitByParagraph() {
        let paragraphs = (0..<60).map { "comment number \($0) about a holder" }
        let examples = (0..<180).map {
            QAExample(id: "q\($0)", question: "q", answers: ["a"], title: "Filtered_Reddit_Comments",
                      article: "Filtered_Reddit_Comments", context: paragraphs[$0 % 60])
        }
        let plan = QASplitPlan(examples)
        XCTAssertEqual(plan.unit, .paragraph)
        XCTAssertEqual(plan.reason, "the set has 1 article")
        let test = plan.select(.test, from: examples), train = plan.select(.train, from: examples)
        XCTAssertEqual(test.count + train.count, 180)
        XCTAssertTrue(Set(test.compactMap(\.context)).isDisjoint(with: Set(train.compactMap(\.context))))
        XCTAssertTrue((5...25).contains(Set(test.compactMap(\.context)).count), "about a fifth of 60 paragraphs")
        for e in examples {
            XCTAssertEqual(plan.side(of: e), QASplit.side(of: example("x", article: e.context)), "the paragraph's hash decides")
        }
        XCTAssertEqual(QASplit.test.select(examples).map(\.id), test.map(\.id), "select chooses the same unit")
        XCTAssertTrue(plan.summary(of: examples).hasPrefix("split by paragraph (the set has 1 article): 60 paragraphs, "),
                      plan.summary(of: examples))
    }

    /// Nine articles are too few, ten enough; a set with neither articles nor paragraphs goes by question id.
    func testUnitRule() {
        func set(articles: Int) -> [QAExample] {
            (0..<100).map { QAExample(id: "q\($0)", question: "q", answers: ["a"], article: "A\($0 % articles)", context: "p\($0)") }
        }
        XCTAssertEqual(QASplitPlan(set(articles: 9)).unit, .paragraph)
        XCTAssertEqual(QASplitPlan(set(articles: 9)).reason, "the set has 9 articles")
        XCTAssertEqual(QASplitPlan(set(articles: 10)).unit, .article)
        XCTAssertTrue(QASplitPlan(set(articles: 10)).summary(of: set(articles: 10)).hasPrefix("split by article: 10 articles, "))
        let bare = (0..<50).map { example("q\($0)") }
        XCTAssertEqual(QASplitPlan(bare).unit, .question)
        XCTAssertEqual(QASplitPlan(bare).reason, "the set names no articles")
        let titledOnly = (0..<50).map { example("q\($0)", title: "T\($0 % 3)") }
        XCTAssertEqual(QASplitPlan(titledOnly).unit, .question, "few articles and no paragraphs: by question")
    }

    /// Enough articles, but all hash to one side: the article split would leave the test side empty.
    func testOneSidedArticleSplitFallsBackToParagraphs() {
        let names: [String] = (0..<200).map { "A\($0)" }
        let trainOnly = names.filter { QASplit.side(of: example("x", article: $0)) == .train }.prefix(12)
        var examples: [QAExample] = []
        for name in trainOnly {
            for p in 0..<5 { examples.append(QAExample(id: "\(name)-\(p)", question: "q", answers: ["a"], article: name, context: "\(name) p\(p)")) }
        }
        let plan = QASplitPlan(examples)
        XCTAssertEqual(plan.unit, .paragraph)
        XCTAssertEqual(plan.reason, "the article split puts all 12 articles on the train side")
        XCTAssertFalse(plan.select(.test, from: examples).isEmpty)
        XCTAssertEqual(QASplitPlan(examples, testShare: 0).unit, .article, "a share of 0 empties the test side on purpose")
    }

    /// The real single-article set: SQuADShifts Reddit (2,035 paragraphs, 9,803 questions).
    func testRedditIsSplitByParagraph() throws {
        let examples = try QASetReader().read(TestResources.sharedData("squadshifts/reddit_v1.0.json.gz")).examples
        let plan = QASplitPlan(examples)
        XCTAssertEqual(plan.unit, .paragraph)
        XCTAssertEqual(plan.articles, 1)
        let test = plan.select(.test, from: examples)
        let share = Double(Set(test.compactMap(\.context)).count) / Double(Set(examples.compactMap(\.context)).count)
        XCTAssertEqual(share, 0.2, accuracy: 0.03, "test share of paragraphs")
        XCTAssertTrue(Set(test.compactMap(\.context)).isDisjoint(with: Set(plan.select(.train, from: examples).compactMap(\.context))))
    }

    func testShareBoundsAreAllOrNothing() {
        let examples = (0..<200).map { example("q\($0)", article: "article \($0)") }
        XCTAssertEqual(QASplit.test.select(examples, testShare: 0).count, 0)
        XCTAssertEqual(QASplit.test.select(examples, testShare: 1).count, 200)
        let fifth = QASplit.test.select(examples, testShare: 0.2).count
        XCTAssertTrue((20...60).contains(fifth), "about a fifth of 200 articles, got \(fifth)")
    }
}
