import GRDB
@testable import QuarryIngest
import QuarryStore
import QuarryTestSupport
import XCTest

final class JSONLReaderTests: IngestTestCase {
    private func readAll(_ reader: DocumentReader) throws -> [SourceDocument] {
        var documents: [SourceDocument] = []
        while let document = try reader.next() { documents.append(document) }
        return documents
    }

    func testReadsBEIRAndPyseriniLines() throws {
        let url = try makeFile("corpus.jsonl", """
            {"_id": "d1", "title": "First", "text": "one two", "metadata": {}}

            {"id": 42, "contents": "ignored", "text": "three"}\r
            {"id": "d3", "title": null, "text": "four"}
            """)
        let documents = try readAll(try JSONLReader(url: url))
        XCTAssertEqual(documents.map(\.externalID), ["d1", "42", "d3"])
        XCTAssertEqual(documents.map(\.title), ["First", "", ""])
        XCTAssertEqual(documents.map(\.sections), [["one two"], ["three"], ["four"]])
        XCTAssertEqual(documents.map(\.location), ["line 1", "line 3", "line 4"])
    }

    func testErrorsNameTheFileAndLine() throws {
        let cases: [(String, String)] = [
            ("{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": ", "line 2: not valid JSON"),
            ("{\"id\": \"a\"}", "line 1: missing \"text\" string"),
            ("{\"text\": \"no id\"}", "line 1: missing \"id\" (or \"_id\") string or number"),
            ("[1, 2]", "line 1: expected a JSON object"),
            ("{\"id\": \"a\", \"title\": 3, \"text\": \"t\"}", "line 1: \"title\" is not a string"),
        ]
        for (contents, expected) in cases {
            let url = try makeFile("bad.jsonl", contents)
            XCTAssertThrowsError(try readAll(try JSONLReader(url: url))) { error in
                XCTAssertEqual("\(error)", "\(url.path): \(expected)")
            }
        }
    }

    func testInvalidUTF8IsLocatedByByte() throws {
        let bytes = Array("{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": \"caf".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
        let url = try makeFile("utf8.jsonl", bytes)
        XCTAssertThrowsError(try readAll(try JSONLReader(url: url))) { error in
            XCTAssertEqual("\(error)", "\(url.path): line 2, byte 50: invalid UTF-8", "26 bytes of line 1, then 24 before the bad byte")
        }
    }

    func testKeepGoingSkipsAndReportsBadLines() throws {
        let url = try makeFile("mixed.jsonl", """
            {"id": "a", "text": "ok"}
            not json
            {"id": "b", "text": "fine"}
            {"id": "c"}
            """)
        let reader = try JSONLReader(url: url, keepGoing: true)
        XCTAssertEqual(try readAll(reader).map(\.externalID), ["a", "b"])
        XCTAssertEqual(reader.skipped[.malformed], 2)
        XCTAssertEqual(reader.problems.map(\.place), ["line 2", "line 4"])
        XCTAssertEqual(reader.bytesRead, Int64(try Data(contentsOf: url).count))
    }

    func testLongLinesAcrossChunkBoundaries() throws {
        let long = String(repeating: "word ", count: 300_000)  // 1.5 MB: longer than one read chunk
        let url = try makeFile("long.jsonl", "{\"id\": \"1\", \"text\": \"\(long)\"}\n{\"id\": \"2\", \"text\": \"x\"}\n")
        let documents = try readAll(try JSONLReader(url: url))
        XCTAssertEqual(documents.map(\.externalID), ["1", "2"])
        XCTAssertEqual(documents[0].sections[0].count, long.count)
    }

    /// Real data: the SQuADShifts reddit paragraphs, written as a JSONL corpus at test time.
    func testIngestsRealParagraphsWithExactCounts() throws {
        let archive = try TestResources.sharedData("squadshifts/reddit_v1.0.json.gz")
        let directory = try TestResources.temporaryDirectory(for: self)
        let json = try gunzip(archive)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let articles = try XCTUnwrap(root["data"] as? [[String: Any]])
        var lines: [String] = []
        var expectedPassages = 0
        for article in articles {
            for paragraph in article["paragraphs"] as? [[String: Any]] ?? [] {
                let context = paragraph["context"] as? String ?? ""
                let line = try JSONSerialization.data(withJSONObject: [
                    "id": "reddit-\(lines.count)", "title": article["title"] as? String ?? "", "text": context])
                lines.append(String(decoding: line, as: UTF8.self))
                let words = context.split(whereSeparator: { $0.isWhitespace }).count
                expectedPassages += (words + 99) / 100
            }
        }
        XCTAssertEqual(lines.count, 2_035, "SQuADShifts reddit has 2,035 paragraphs")
        let corpus = directory.appendingPathComponent("reddit.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: corpus)

        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let summary = try pipeline.ingest(try JSONLReader(url: corpus), source: "reddit", file: corpus.path)
        XCTAssertEqual(summary.documentsNew, 2_035)
        XCTAssertEqual(summary.passagesAdded, expectedPassages)
        XCTAssertEqual(try store.passageCount(), expectedPassages)
        XCTAssertEqual(try pipeline.ingest(try JSONLReader(url: corpus), source: "reddit", file: corpus.path).documentsUnchanged, 2_035)
        XCTAssertEqual(try store.integrityProblems(), [])
        XCTAssertEqual(try store.bm25Search(query: "reddit comment", k: 5).count, 5)
    }

    private func gunzip(_ url: URL) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return data
    }
}
