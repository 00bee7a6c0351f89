import Foundation
import XCTest
import QuarryTestSupport
@testable import QuarryText

final class AnswerNormalizationTests: XCTestCase {
    private func n(_ s: String) -> String { AnswerNormalization.normalize(s) }

    func testLowerCases() {
        XCTAssertEqual(n("Denver BRONCOS"), "denver broncos")
        XCTAssertEqual(n("ÉCOLE Straße"), "école straße", "Unicode lower-casing, no accent stripping, no case folding")
        XCTAssertEqual(n("ΟΔΟΣ"), "\u{3BF}\u{3B4}\u{3BF}\u{3C2}", "a word-final capital sigma becomes final sigma, as in Python")
        XCTAssertEqual(n("ΣΑ"), "σα")
    }

    func testRemovesExactlyPythonsPunctuation() {
        XCTAssertEqual(n("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), "")
        XCTAssertEqual(n("U.S.A."), "usa")
        XCTAssertEqual(n("rock-and-roll"), "rockandroll")
        XCTAssertEqual(n("don't"), "dont")
        // Non-ASCII punctuation is not in string.punctuation and stays.
        XCTAssertEqual(n("“quoted” – dash"), "“quoted” – dash")
        XCTAssertEqual(n("£5 €10"), "£5 €10")
    }

    func testRemovesArticlesAsWholeWords() {
        XCTAssertEqual(n("The Eiffel Tower"), "eiffel tower")
        XCTAssertEqual(n("a cat and an owl at the zoo"), "cat and owl at zoo")
        XCTAssertEqual(n("theatre anthem banana"), "theatre anthem banana", "articles inside words stay")
        XCTAssertEqual(n("the"), "")
        XCTAssertEqual(n("a a a"), "")
        // Punctuation is removed before articles: "the-end" becomes "theend", which is not an article.
        XCTAssertEqual(n("the-end"), "theend")
        // A non-ASCII, non-word character is a word boundary for \b: the article goes.
        XCTAssertEqual(n("the’s"), "’s")
        // Underscore is punctuation, removed before the article test.
        XCTAssertEqual(n("a_the"), "athe")
        // Digits are word characters: "2a" is no article.
        XCTAssertEqual(n("2a an5"), "2a an5")
    }

    func testCollapsesWhitespace() {
        XCTAssertEqual(n("  New\t\tYork \n City  "), "new york city")
        XCTAssertEqual(n("a\u{00A0}b\u{2003}c\u{1F}d"), "b c d", "NBSP, em space and U+001F split like Python's str.split")
        XCTAssertEqual(AnswerNormalization.tokens(" The  quick, brown fox. "), ["quick", "brown", "fox"])
        XCTAssertEqual(AnswerNormalization.tokens(""), [])
    }

    func testContainmentIsWholeTokens() {
        XCTAssertTrue(AnswerContainment.contains(passage: "The Denver Broncos won Super Bowl 50.", answer: "Denver Broncos"))
        XCTAssertTrue(AnswerContainment.contains(passage: "It was the U.S. Army.", answer: "the US army"))
        XCTAssertFalse(AnswerContainment.contains(passage: "The Denver Broncos won.", answer: "Denver Bronco"))
        XCTAssertFalse(AnswerContainment.contains(passage: "anything at all", answer: "the"))
        XCTAssertFalse(AnswerContainment.contains(passage: "Broncos Denver", answer: "Denver Broncos"))
    }
}

final class AnswerContainmentIndexTests: XCTestCase {
    func testIndexAgreesWithBruteForceOnSQuADDev() throws {
        let set = try QASetReader().read(TestResources.sharedData("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz"))
        var paragraphs: [String] = []
        var number: [String: Int] = [:]
        for example in set.examples {
            let context = example.context!
            if number[context] == nil { number[context] = paragraphs.count; paragraphs.append(context) }
        }
        XCTAssertEqual(paragraphs.count, 2067)
        // SQuADShifts paragraphs as distractors: 6,150 distinct passages in all.
        for name in ["squadshifts/reddit_v1.0.json.gz", "squadshifts/amazon_reviews_v1.0.json.gz"] {
            for example in try QASetReader().read(TestResources.sharedData(name)).examples {
                let context = example.context!
                if number[context] == nil { number[context] = paragraphs.count; paragraphs.append(context) }
            }
        }
        XCTAssertEqual(paragraphs.count, 6150, "2 SQuADShifts paragraphs repeat")
        let clock = ContinuousClock()
        var index: AnswerContainmentIndex!
        let build = clock.measure { index = AnswerContainmentIndex(passages: paragraphs) }
        XCTAssertEqual(index.passageCount, 6150)

        var hits = 0, ownParagraph = 0, pairs = 0
        let query = clock.measure {
            for example in set.examples {
                let found = index.passages(containingAny: example.answers)
                hits += found.count
                if found.contains(number[example.context!]!) { ownParagraph += 1 }
                pairs += 1
            }
        }
        print("AnswerContainmentIndex: \(index.tokenCount) tokens of \(paragraphs.count) passages indexed in \(build); "
              + "\(pairs) questions (all answers each) in \(query); \(hits) passage hits")
        // Every answer occurs verbatim in its paragraph; whole-token containment fails only where an answer
        // cuts a word, which is rare.
        XCTAssertGreaterThan(Double(ownParagraph) / Double(pairs), 0.98)

        // The index returns exactly what a brute-force scan over normalised tokens returns.
        let normalised = paragraphs.map { AnswerNormalization.tokens($0)[...] }
        for example in set.examples.enumerated().filter({ $0.offset % 1000 == 0 }).map(\.element) {
            for answer in example.answers {
                let tokens = AnswerNormalization.tokens(answer)
                let expected = normalised.indices.filter { AnswerContainment.containsRun(normalised[$0], tokens) }
                XCTAssertEqual(index.passages(containing: answer), expected, answer)
                let own = number[example.context!]!
                XCTAssertEqual(index.passage(own, containsAny: [answer]), expected.contains(own))
                XCTAssertEqual(index.passage(own, contains: index.query([answer, "the"])), expected.contains(own))
            }
        }
    }
}

final class AnswerOffsetsTests: XCTestCase {
    func testTokensWithOffsetsPointAtTheSource() {
        let text = "The U.S. Army’s café, ΟΔΟΣ!"
        let tokens = AnswerNormalization.tokensWithOffsets(text)
        XCTAssertEqual(tokens.map(\.token), AnswerNormalization.tokens(text))
        XCTAssertEqual(tokens.map { String(text.substring(utf8Offsets: $0.utf8Range)) }, ["U.S", "Army’s", "café", "ΟΔΟΣ"])
    }

    func testSpansMapToReaderTokensOnSQuADDev() throws {
        let tokenizer = try BertTokenizer(modelDirectory: TestResources.miniLM())
        let set = try QASetReader().read(TestResources.sharedData("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz"))
        var recovered = 0, total = 0
        for example in set.examples.enumerated().filter({ $0.offset % 10 == 0 }).map(\.element) {
            total += 1
            let context = example.context!
            // The official answer_start, as a UTF-8 range, maps to tokens whose text normalises to the answer.
            let start = context.utf8Offset(ofScalarOffset: example.answerStarts[0])
            let range = start..<(start + example.answers[0].utf8.count)
            XCTAssertEqual(String(context.substring(utf8Offsets: range)), example.answers[0])
            let windows = tokenizer.encodePair(question: example.question, passage: context, maxLength: 256, overlap: 64)
            guard let window = windows.first(where: { $0.positions(covering: range) != nil }) else { continue }
            let positions = window.positions(covering: range)!
            let text = window.text(in: context, from: positions.lowerBound, through: positions.upperBound)
            if AnswerNormalization.normalize(String(text)) == AnswerNormalization.normalize(example.answers[0]) { recovered += 1 }
        }
        print("\(total) SQuAD dev answers: \(recovered) recovered exactly from reader tokens")
        // Token spans are whole words: an answer that cuts a word (rare) cannot be recovered exactly.
        XCTAssertGreaterThan(Double(recovered) / Double(total), 0.97)
    }
}
