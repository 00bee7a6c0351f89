import Foundation
import QuarryTestSupport
import QuarryText
import XCTest

/// Qrels (TREC and BEIR) and query files (TSV, JSON lines, TREC topics), hand-written and real.
final class RelevanceJudgementsTests: XCTestCase {
    private func write(_ text: String, _ name: String) throws -> URL {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testTRECQrelsWithCRLFAndGrades() throws {
        let judgements = try RelevanceJudgements(contentsOf: write("1 0 184 1\r\n1 0 29 0\r\n\r\n2 0 85 3\r\n1 0 184 2\r\n", "q.txt"))
        XCTAssertEqual(judgements.grades, ["1": ["184": 2, "29": 0], "2": ["85": 3]], "a second judgement of a pair replaces the first")
        XCTAssertEqual(judgements.relevant(to: "1"), ["184"])
        XCTAssertEqual(judgements.queriesWithRelevant, ["1", "2"])
    }

    func testBEIRQrelsWithHeader() throws {
        let judgements = try RelevanceJudgements(contentsOf: write("query-id\tcorpus-id\tscore\nq1\tdoc-a\t1\nq1\tdoc-b\t0\n", "test.tsv"))
        XCTAssertEqual(judgements.grades, ["q1": ["doc-a": 1, "doc-b": 0]])
        XCTAssertEqual(judgements.relevant(to: "q1"), ["doc-a"])
    }

    func testMalformedQrelsNameFileAndLine() throws {
        for (text, message) in [("1 0 5 1\n1 0 6 x\n", "line 2: the grade \"x\" is not an integer"),
                                ("1 0 5 1\n1 6 1\n", "line 2: 3 fields where earlier lines have 4"),
                                ("1 0 5 1 extra\n", "line 1: expected `query-id 0 doc-id grade`"),
                                ("\n\n", "no judgements")] {
            let url = try write(text, "bad.qrels")
            XCTAssertThrowsError(try RelevanceJudgements(contentsOf: url)) {
                XCTAssertTrue("\($0)".hasPrefix(url.path), "\($0)")
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
    }

    func testTSVAndJSONLinesQueries() throws {
        let tsv = try QueryFile().read(write("1\twhat is lift\n\n2\t  boundary layers \n", "queries.tsv"))
        XCTAssertEqual(tsv, [JudgedQuery(id: "1", text: "what is lift"), JudgedQuery(id: "2", text: "boundary layers")])
        let jsonl = try QueryFile().read(write("{\"_id\": \"q1\", \"text\": \"heat transfer\", \"metadata\": {}}\n{\"id\": 7, \"text\": \"shock\"}\n",
                                               "queries.jsonl"))
        XCTAssertEqual(jsonl, [JudgedQuery(id: "q1", text: "heat transfer"), JudgedQuery(id: "7", text: "shock")])
        let url = try write("1\tone\n1\tagain\n", "dup.tsv")
        XCTAssertThrowsError(try QueryFile().read(url)) { XCTAssertTrue("\($0)".contains("query 1: the id occurs twice"), "\($0)") }
        let noTab = try write("1 one\n", "notab.tsv")
        XCTAssertThrowsError(try QueryFile().read(noTab)) { XCTAssertTrue("\($0)".contains("line 1: expected"), "\($0)") }
    }

    func testTopicsClosedAndUnclosed() throws {
        let sgml = "<top>\n<num> Number: 301 \n<title> Organized  Crime \n\n<desc> Description: \nIdentify groups.\n<narr> Narrative: \nA relevant document…\n</top>\n"
        let xml = "<?xml version='1.0'?>\n<xml>\n<top>\n<num> 4</num>\n<title>\nheat &amp; slabs .\n</title>\n</top>\n</xml>\n"
        XCTAssertEqual(try QueryFile().read(write(sgml, "t1.txt")), [JudgedQuery(id: "301", text: "Organized Crime")])
        XCTAssertEqual(try QueryFile(field: .description).read(write(sgml, "t2.txt")), [JudgedQuery(id: "301", text: "Identify groups.")])
        XCTAssertEqual(try QueryFile(field: .titleDescription).read(write(sgml, "t3.txt")).first?.text, "Organized Crime Identify groups.")
        XCTAssertEqual(try QueryFile().read(write(xml, "t4.xml")), [JudgedQuery(id: "4", text: "heat & slabs .")])
        XCTAssertEqual(try QueryFile(renumber: true).read(write(xml, "t5.xml")).map(\.id), ["1"])
        let bad = try write("<top><title>no number</title></top>", "t6.txt")
        XCTAssertThrowsError(try QueryFile().read(bad)) { XCTAssertTrue("\($0)".contains("topic 1: a <top> record without <num>"), "\($0)") }
    }

    /// Cranfield's topics keep the original numbers (1, 2, 4, 8, …, 365); its qrels number them 1–225.
    func testCranfieldTopicsAndQrels() throws {
        let topics = try QueryFile().read(TestResources.sharedData("trec-xml/cran.qry.xml"))
        XCTAssertEqual(topics.count, 225)
        XCTAssertEqual(topics.prefix(3).map(\.id), ["1", "2", "4"])
        XCTAssertEqual(topics.last?.id, "365")
        XCTAssertEqual(topics[0].text, "what similarity laws must be obeyed when constructing aeroelastic models of heated high speed aircraft .")
        let renumbered = try QueryFile(renumber: true).read(TestResources.sharedData("trec-xml/cran.qry.xml"))
        XCTAssertEqual(renumbered.map(\.id), (1...225).map(String.init))
        let qrels = try RelevanceJudgements(contentsOf: TestResources.sharedData("trec-xml/cranqrel.trec.txt"))
        XCTAssertEqual(qrels.grades.count, 225)
        XCTAssertEqual(qrels.grades.values.reduce(0) { $0 + $1.count }, 1_837)
        XCTAssertEqual(qrels.queriesWithRelevant.count, 225)
        XCTAssertEqual(qrels.grades["40"]?["85"], 3)
        XCTAssertEqual(qrels.relevant(to: "1").count, 28)
    }

    func testRobust04Topics() throws {
        let topics = try QueryFile().read(TestResources.sharedData("trec-xml/topics.robust04.txt"))
        XCTAssertEqual(topics.count, 250)
        XCTAssertEqual(topics[0], JudgedQuery(id: "301", text: "International Organized Crime"))
        XCTAssertEqual(topics.last?.id, "700")
        XCTAssertTrue(try QueryFile(field: .description).read(TestResources.sharedData("trec-xml/topics.robust04.txt"))[0].text
            .hasPrefix("Identify organizations that participate in international criminal activity"))
    }
}
