import Foundation
import XCTest
import QuarryTestSupport
@testable import QuarryText

final class QASetReaderTests: XCTestCase {
    private func read(_ relative: String) throws -> QASet {
        try QASetReader().read(TestResources.sharedData(relative))
    }

    func testSQuADDev() throws {
        let set = try read("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz")
        XCTAssertEqual(set.format, .squad)
        XCTAssertEqual(set.examples.count, 10_570)
        XCTAssertEqual(Set(set.examples.compactMap(\.article)).count, 48)
        XCTAssertEqual(Set(set.examples.compactMap(\.context)).count, 2_067)
        XCTAssertEqual(set.examples.reduce(0) { $0 + $1.answers.count }, 34_726)
        XCTAssertEqual(set.skippedUnanswerable, 0)
        XCTAssertEqual(Set(set.examples.map(\.id)).count, 10_570)
        // answer_start is a scalar offset where the answer text sits in the context.
        for example in set.examples.prefix(500) {
            XCTAssertEqual(example.answerStarts.count, example.answers.count)
            let scalars = Array(example.context!.unicodeScalars)
            let start = example.answerStarts[0]
            let piece = String(String.UnicodeScalarView(scalars[start..<(start + example.answers[0].unicodeScalars.count)]))
            XCTAssertEqual(piece, example.answers[0])
        }
    }

    func testSQuADShiftsXQuADAndCovidQA() throws {
        let reddit = try read("squadshifts/reddit_v1.0.json.gz")
        XCTAssertEqual(reddit.examples.count, 9_803)
        XCTAssertEqual(reddit.examples.reduce(0) { $0 + $1.answers.count }, 27_692)
        let amazon = try read("squadshifts/amazon_reviews_v1.0.json.gz")
        XCTAssertEqual(amazon.examples.count, 9_885)
        XCTAssertEqual(Set(amazon.examples.compactMap(\.article)).count, 413)
        let xquad = try read("xquad-en/xquad.en.json")
        XCTAssertEqual(xquad.examples.count, 1_190)
        XCTAssertEqual(Set(xquad.examples.compactMap(\.context)).count, 240)
        let covid = try read("covid-qa/200423_covidQA.json.gz")
        XCTAssertEqual(covid.examples.count, 1_380)
        XCTAssertEqual(Set(covid.examples.compactMap(\.article)).count, 98, "articles named by document_id")
        XCTAssertNil(covid.examples[0].title)
    }

    func testDemoCorpusQuestionsInBothFormats() throws {
        let qa = TestResources.packageRoot.appendingPathComponent("corpora/demo/qa")
        guard FileManager.default.fileExists(atPath: qa.path) else { throw XCTSkip("no demo corpus at \(qa.path)") }
        let train = try QASetReader().read(qa.appendingPathComponent("train.jsonl"))
        let test = try QASetReader().read(qa.appendingPathComponent("test.jsonl"))
        XCTAssertEqual(train.examples.count, 435)
        XCTAssertEqual(test.examples.count, 150)
        XCTAssertTrue(test.examples.allSatisfy { $0.title != nil && $0.id.hasPrefix("demo-") })
        let tsv = try QASetReader().read(qa.appendingPathComponent("questions.tsv"))
        XCTAssertEqual(tsv.format, .tsv)
        XCTAssertEqual(tsv.examples.count, 585, "the header line is not a question")
        // The same questions with the same answers, whichever file they come from.
        var answers: [String: [String]] = [:]
        for example in train.examples + test.examples { answers[example.question] = example.answers }
        XCTAssertEqual(answers.count, 585)
        for example in tsv.examples { XCTAssertEqual(answers[example.question], example.answers, example.question) }
    }

    private func write(_ text: String, _ name: String) throws -> URL {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func testSQuADv2SkipsUnanswerable() throws {
        let json = """
        {"version": "v2.0", "data": [{"title": "T", "paragraphs": [{"context": "Paris is in France.", "qas": [
          {"id": "1", "question": "Where is Paris?", "answers": [{"text": "France", "answer_start": 12}], "is_impossible": false},
          {"id": "2", "question": "Where is Rome?", "answers": [], "plausible_answers": [{"text": "France", "answer_start": 12}], "is_impossible": true}
        ]}]}]}
        """
        let set = try QASetReader().read(write(json, "v2.json"))
        XCTAssertEqual(set.examples.map(\.id), ["1"])
        XCTAssertEqual(set.skippedUnanswerable, 1)
    }

    func testJSONLinesWithListsAndStrings() throws {
        let lines = """
        {"question": "who wrote hamlet", "answer": ["William Shakespeare", "Shakespeare"]}
        {"question": "capital of france", "answers": "Paris", "id": 7}

        {"question": "largest planet", "answers": [{"text": "Jupiter"}]}
        """
        let set = try QASetReader().read(write(lines, "nq.data"))   // no telling extension: sniffed
        XCTAssertEqual(set.format, .jsonLines)
        XCTAssertEqual(set.examples.map(\.answers), [["William Shakespeare", "Shakespeare"], ["Paris"], ["Jupiter"]])
        XCTAssertEqual(set.examples.map(\.id), ["line 1", "7", "line 4"])
    }

    func testMalformedRowNamesFileAndLineUnlessKeepGoing() throws {
        let lines = "{\"question\": \"q1\", \"answers\": [\"a\"]}\n{\"question\": \"q2\"}\nnot json\n{\"question\": \"q4\", \"answer\": \"d\"}\n"
        let url = try write(lines, "bad.jsonl")
        XCTAssertThrowsError(try QASetReader().read(url)) { error in
            XCTAssertEqual(error as? QASetError, .malformed(path: url.path, place: "2", reason: "no \"answers\" or \"answer\" (a string or a list of strings)"))
            XCTAssertTrue("\(error)".hasPrefix("\(url.path):2:"))
        }
        let set = try QASetReader(keepGoing: true).read(url)
        XCTAssertEqual(set.examples.map(\.question), ["q1", "q4"])
        XCTAssertEqual(set.skippedMalformed, 2)
        XCTAssertEqual(set.problems.map { "\($0)" }.map { $0.split(separator: ":")[1] }, ["2", "3"])
    }

    func testDPRStyleTSVAndCSV() throws {
        let tsv = "who got the first nobel prize in physics\t['Wilhelm Conrad Röntgen']\n"
            + "when was it\t[\"1901\", \"in 1901\"]\n"
            + "what's the answer\t['it\\'s 42', \"b\"]\n"
            + "pipes\tone | two|three\n"
        let set = try QASetReader().read(write(tsv, "nq-test.qa.tsv"))
        XCTAssertEqual(set.format, .tsv)
        XCTAssertEqual(set.examples.map(\.answers), [["Wilhelm Conrad Röntgen"], ["1901", "in 1901"], ["it's 42", "b"], ["one", "two", "three"]])

        let csv = "id,question,answers\nq1,\"Who said \"\"hi\"\"?\",\"[\"\"Bob\"\"]\"\nq2,\"multi\nline\",Ann|Al\nq3,missing\n"
        let url = try write(csv, "set.csv")
        XCTAssertThrowsError(try QASetReader().read(url)) { error in
            XCTAssertEqual(error as? QASetError, .malformed(path: url.path, place: "5", reason: "expected at least 3 fields, found 2"))
        }
        let parsed = try QASetReader(keepGoing: true).read(url)
        XCTAssertEqual(parsed.examples.map(\.id), ["q1", "q2"])
        XCTAssertEqual(parsed.examples.map(\.question), ["Who said \"hi\"?", "multi\nline"])
        XCTAssertEqual(parsed.examples.map(\.answers), [["Bob"], ["Ann", "Al"]])
    }

    func testErrorsForMissingAndUnknownFiles() throws {
        XCTAssertThrowsError(try QASetReader().read(URL(fileURLWithPath: "/nonexistent/qa.json"))) { error in
            XCTAssertEqual(error as? QASetError, .unreadable(path: "/nonexistent/qa.json", reason: "no such file"))
        }
        let url = try write("{\"version\": 1}", "x.json")
        XCTAssertThrowsError(try QASetReader().read(url)) { error in
            XCTAssertTrue("\(error)".contains("not a SQuAD file"))
        }
        let truncated = try write("{\"data\": [", "cut.json")
        XCTAssertThrowsError(try QASetReader().read(truncated)) { error in
            XCTAssertTrue("\(error)".hasPrefix(truncated.path))
        }
    }
}
