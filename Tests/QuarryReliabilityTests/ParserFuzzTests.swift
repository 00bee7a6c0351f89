import Foundation
import QuarryNN
import QuarryStore
import QuarryTestSupport
import QuarryText
import XCTest

/// Seeded mutation fuzzing of the safetensors header parser, the QA-set, qrels and query-file readers, the
/// prompt templates and the BM25 query path. Property: a located error of the module's own kind or a result;
/// never a crash, a hang or (for search) an SQL/FTS5 error.
final class ParserFuzzTests: XCTestCase {
    // MARK: safetensors

    /// A real-shaped file: small tensors named and shaped as in the MiniLM checkpoint, with metadata.
    private func safetensorsSeed(in directory: URL) throws -> [UInt8] {
        let url = directory.appendingPathComponent("seed.safetensors")
        let a = [Float](repeating: 0.5, count: 12), b = [Float](repeating: -1, count: 3)
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try SafetensorsWriter.write([
                    .init(name: "encoder.layer.0.attention.self.query.weight", shape: [3, 4], data: pa.baseAddress!),
                    .init(name: "encoder.layer.0.attention.self.query.bias", shape: [3], data: pb.baseAddress!),
                ], metadata: ["format": "pt"], to: url)
            }
        }
        return [UInt8](try Data(contentsOf: url))
    }

    func testSafetensorsHeader() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let seed = try safetensorsSeed(in: directory)
        let dictionary = ["{", "}", "[", "]", "\"", ":", ",", "\"dtype\":", "\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"",
                          "\"I64\"", "\"BOOL\"", "\"shape\":", "[]", "[0]", "[-1]", "[1e300]", "[4294967296, 4294967296]",
                          "\"data_offsets\":", "[0, 99999999999]", "[48, 0]", "[9007199254740993, 9007199254740994]",
                          "1.5", "-0", "null", "true", "\"__metadata__\":", "\\u0000", "\u{0}"]
        let harness = try FuzzHarness(target: "safetensors", defaultIterations: 600)
        harness.run(seeds: [seed], dictionary: dictionary, extension: "safetensors") { input, url in
            // Half the time keep the length prefix in step with a mutated header, so the JSON parser is reached.
            var bytes = input
            if bytes.count >= 8, bytes.count & 1 == 0 {
                let length = UInt64(bytes.count - 8)
                withUnsafeBytes(of: length.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
                FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
            }
            do {
                let file = try SafetensorsFile(url: url)
                for entry in file.entries.values where entry.dtype.isFloatingPoint {
                    let floats = try file.floats(entry.name)
                    if floats.count != entry.count { return "\(entry.name): \(floats.count) floats for shape \(entry.shape)" }
                }
                return nil
            } catch let error as SafetensorsError {
                return error.path == url.path ? nil : "error names \(error.path)"
            } catch {
                return "not a SafetensorsError: \(error)"
            }
        }
    }

    // MARK: QA sets

    /// Seeds in all four formats, made from the first examples of the real XQuAD file.
    private func qaSeeds() throws -> [(ext: String, bytes: [UInt8])] {
        let examples = Array(try QASetReader().read(TestResources.sharedData("xquad-en/xquad.en.json")).examples.prefix(6))
        XCTAssertEqual(examples.count, 6)
        func cell(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        func json(_ object: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let squad: [String: Any] = ["version": "1.1", "data": [["title": examples[0].title ?? "", "paragraphs": examples.map { e in
            ["context": e.context ?? "", "qas": [["id": e.id, "question": e.question,
                                                  "answers": zip(e.answers, e.answerStarts).map { ["text": $0, "answer_start": $1] }]]]
        }]]]
        let jsonl = try examples.map { try json(["id": $0.id, "question": $0.question, "answers": $0.answers]) }.joined(separator: "\n")
        let tsv = "question\tanswers\n" + examples.map { "\($0.question)\t\($0.answers.joined(separator: "|"))" }.joined(separator: "\n")
        let csv = "id,question,answers\n" + examples.map { [cell($0.id), cell($0.question), cell($0.answers.joined(separator: "|"))].joined(separator: ",") }.joined(separator: "\n")
        return [("json", Array(try json(squad).utf8)), ("jsonl", Array(jsonl.utf8)), ("tsv", Array(tsv.utf8)), ("csv", Array(csv.utf8))]
    }

    func testQASetReaders() throws {
        let dictionary = ["{", "}", "[", "]", "\"", "\"\"", ",", "\t", "\n", "\r\n", "\r", "|", ":", "\\", "\\u0000",
                          "\\ud800", "null", "1e999", "-1", "\"answers\":", "\"question\":", "\"answer_start\":",
                          "\"context\":", "\"qas\":", "\"paragraphs\":", "\"data\":", "\"is_impossible\": true",
                          "\u{FEFF}", "\u{0}", "\u{1F600}"]
        for (ext, seed) in try qaSeeds() {
            for keepGoing in [false, true] {
                let harness = try FuzzHarness(target: "qa-\(ext)\(keepGoing ? "-keep-going" : "")", defaultIterations: 250)
                harness.run(seeds: [seed], dictionary: dictionary, extension: ext) { _, url in
                    do {
                        let set = try QASetReader(keepGoing: keepGoing).read(url)
                        return set.examples.allSatisfy { !$0.question.isEmpty || !$0.answers.isEmpty } ? nil : "an empty example"
                    } catch let error as QASetError {
                        return error.description.contains(url.path) ? nil : "error does not name the file: \(error)"
                    } catch {
                        return "not a QASetError: \(error)"
                    }
                }
            }
        }
    }

    // MARK: Relevance judgements and queries

    /// Qrels (TREC and BEIR) and query files (TSV, JSON lines, SGML and XML topics) from hand-made seeds shaped as
    /// Cranfield, Robust04 and BEIR ship them: a result with non-empty ids, or a QASetError naming the file.
    func testQrelsAndQueryFiles() throws {
        let dictionary = ["<top>", "</top>", "<num>", "</num>", "<title>", "</title>", "<desc>", "Number:", "Description:",
                          "<", ">", "&amp;", "&", "\t", "\n", "\r\n", " ", "0", "-1", "99999999999999999999", "{", "}",
                          "\"_id\":", "\"text\":", "\"", "query-id", "\u{0}", "\u{FEFF}", "\u{1F600}"]
        let seeds: [(String, String)] = [
            ("qrels", "1 0 184 1\r\n1 0 29 0\r\n2 0 85 3\r\n"),
            ("tsv", "query-id\tcorpus-id\tscore\nq1\tdoc-a\t1\nq1\tdoc-b\t0\n"),
            ("topics", "<top>\n<num> Number: 301\n<title> Organized Crime\n<desc> Description:\nIdentify groups.\n</top>\n"),
            ("xml", "<?xml version='1.0'?>\n<xml>\n<top>\n<num> 4</num>\n<title>\nheat &amp; slabs .\n</title>\n</top>\n</xml>\n"),
            ("jsonl", "{\"_id\": \"q1\", \"text\": \"heat transfer\"}\n{\"id\": 7, \"text\": \"shock\"}\n"),
            ("queries", "1\twhat is lift\n2\tboundary layers\n"),
        ]
        for (ext, seed) in seeds {
            let harness = try FuzzHarness(target: "judgements-\(ext)", defaultIterations: 200)
            harness.run(seeds: [Array(seed.utf8)], dictionary: dictionary, extension: ext) { _, url in
                do {
                    if ext == "qrels" || ext == "tsv" {
                        let judgements = try RelevanceJudgements(contentsOf: url)
                        return judgements.grades.allSatisfy { !$0.key.isEmpty && !$0.value.keys.contains("") } ? nil : "an empty id"
                    }
                    let queries = try QueryFile(field: .titleDescription).read(url)
                    return queries.allSatisfy { !$0.id.isEmpty } ? nil : "an empty query id"
                } catch let error as QASetError {
                    return error.description.contains(url.path) ? nil : "error does not name the file: \(error)"
                } catch {
                    return "not a QASetError: \(error)"
                }
            }
        }
    }

    // MARK: Prompt templates

    func testPromptTemplates() throws {
        let seeds = Prompts.defaultTexts.values.map { Array($0.utf8) }
            + ["prompts/reader.txt", "prompts/passage.txt"].compactMap { try? [UInt8](Data(contentsOf: TestResources.packageRoot.appendingPathComponent($0))) }
        let dictionary = ["{", "}", "{{", "}}", "{question}", "{title}", "{text}", "{unknown}", "{}", "{{question}}",
                          "[SEP]", "\n", "\r\n", "\r", "\u{0}", "é", "\u{1F600}"]
        var values = SeededMutator(seed: 7, dictionary: dictionary + ["NEAR(", "\"", "'; DROP TABLE passages; --"])
        let harness = try FuzzHarness(target: "prompts", defaultIterations: 1_000)
        harness.run(seeds: seeds, dictionary: dictionary) { input, _ in
            let text = String(decoding: input, as: UTF8.self)
            do {
                let template = try PromptTemplate(text, source: "fuzz.txt", allowed: ["question", "title", "text"])
                var arguments: [String: String] = [:]
                for name in ["question", "title", "text"] where values.below(3) > 0 { arguments[name] = values.string(maxLength: 8) }
                let rendered = template.render(arguments)
                for (name, range) in rendered.ranges {
                    guard range.lowerBound >= 0, range.upperBound <= rendered.text.utf16.count || range.upperBound <= rendered.text.unicodeScalars.count
                            || range.upperBound <= rendered.text.utf8.count else {
                        return "range \(range) of \(name) outside the rendered text"
                    }
                }
                return nil
            } catch let error as PromptError {
                return error.description.contains("fuzz.txt") ? nil : "error does not name the template: \(error)"
            } catch {
                return "not a PromptError: \(error)"
            }
        }
    }

    // MARK: BM25 queries

    /// Arbitrary user strings, heavy in FTS5 and SQL syntax, are searched for: no error ever, and a query
    /// holding a stored word finds it.
    func testBM25QueriesNeverRaise() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let store = try CorpusStore(url: directory.appendingPathComponent("fuzz.sqlite"))
        try store.writeBatch { writer in
            try writer.addDocument(source: "fuzz", externalID: "1", title: "Danube \"NEAR\" AND", contentHash: "1",
                                   passages: ["The Danube flows; OR NOT through Vienna * and title: Budapest.", "Zürich naïve 東京 ß"])
            try writer.addDocument(source: "fuzz", externalID: "x'); DROP TABLE passages; --", title: "'; --", contentHash: "2",
                                   passages: ["Robert'); DROP TABLE passages;-- was here \"quoted\" (NEAR a b) ^start col:umn"])
        }
        let dictionary = ["\"", "'", "*", "^", ":", "(", ")", "-", "+", "NEAR(", "NEAR/3", "AND", "OR", "NOT", "title:",
                          "text:", "{title text}:", "passages_fts", "'; DROP TABLE passages; --", "/*", "*/", ";", "--",
                          "\\", "%", "_", "?", "?1", ":name", "@x", "$x", "\u{0}", "\u{301}", "\u{200B}", "\u{FEFF}",
                          "danube", "VIENNA", "zurich", "東京", "naive", "ß", " ", "\t", "\n"]
        let harness = try FuzzHarness(target: "bm25-query", defaultIterations: 500)
        var mutator = SeededMutator(seed: harness.seed, dictionary: dictionary)
        harness.run(seeds: [Array("danube".utf8)], dictionary: dictionary) { input, _ in
            // Half structured strings from the dictionary, half mutated bytes decoded leniently.
            let query = input.count & 1 == 0 ? mutator.string(maxLength: 12) : String(decoding: input, as: UTF8.self)
            do {
                let hits = try store.bm25Search(query: query, k: 5)
                if let match = FTSQuery.anyTerm(query), match.isEmpty { return "empty FTS query for \(query.debugDescription)" }
                let words = ["danube", "vienna", "budapest", "robert"]
                if words.contains(where: { query.lowercased().contains(" \($0) ") }), hits.isEmpty {
                    return "no hit for \(query.debugDescription)"
                }
                return nil
            } catch {
                return "search for \(query.debugDescription) raised \(error)"
            }
        }
        XCTAssertEqual(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM passages") }, 3, "nothing dropped")
    }
}
