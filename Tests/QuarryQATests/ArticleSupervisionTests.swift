import QuarryQA
import QuarryText
import XCTest

/// `--gold-context` for QA sets that name their article but give no paragraph: the article's passages,
/// the answers placed in them, and the questions that cannot be placed counted.
final class ArticleSupervisionTests: XCTestCase {
    func testQuestionsAreReadWithTheirArticlesPassages() {
        let mars = [ReaderPassage(passageID: 1, title: "Mars", text: "Mars is the fourth planet from the Sun."),
                    ReaderPassage(passageID: 2, title: "Mars", text: "Its two moons are Phobos and Deimos.")]
        let questions = [
            QAExample(id: "1", question: "Which moon of Mars is larger?", answers: ["Phobos"], title: "Mars"),
            QAExample(id: "2", question: "Which planet is fourth?", answers: ["Mars", "the planet Mars"], title: "Mars"),
            QAExample(id: "3", question: "Who named it?", answers: ["Asaph Hall"], title: "Mars"),       // not in the text
            QAExample(id: "4", question: "How far is Venus?", answers: ["far"], title: "Venus"),         // no such article
            QAExample(id: "5", question: "Which moon?", answers: ["Deimos"]),                            // no title
        ]
        let set = ReaderTrainingSet.articlePassages(questions, passagesByTitle: ["Mars": mars])
        XCTAssertEqual(set.skipped, 3)
        XCTAssertEqual(set.examples.map(\.question), ["Which moon of Mars is larger?", "Which planet is fourth?"])
        let phobos = set.examples[0]
        XCTAssertEqual(phobos.passages, mars, "every passage of the article, in order")
        let start = "Its two moons are ".utf8.count
        XCTAssertEqual(phobos.answerRanges, [[], [start..<(start + "Phobos".utf8.count)]])
        XCTAssertEqual(set.examples[1].answerRanges[0], [0..<4], "the answer holds where it occurs")
        XCTAssertEqual(set.examples[1].answerRanges[1], [])
    }
}
