import Foundation
import QuarryNN
import QuarryRetrieval
import QuarryStore
import QuarryTestSupport
import QuarryText
import XCTest

/// `quarry embed` and `quarry search` over a cache (`--retriever NAME`, `hybrid:NAME`, and the hidden aliases
/// `--dense/--hybrid/--cache` of earlier releases) end to end on the demo wiki: retrieval quality on its
/// test questions, SIGKILL-and-resume, and stale-cache reports.
final class DenseRetrievalCLITests: CLITestCase {
    /// The demo wiki ingested once, and a copy of it embedded once, shared by the tests of this class.
    private struct Corpus {
        var directory: URL
        var ingested: URL
        var embedded: URL
        var embedSeconds: Double
    }

    private static var shared: Result<Corpus, Error>?
    /// Small windows, so that kills land between many appends.
    static let embedArguments = ["--batch", "16", "--window", "32", "--quiet"]

    override class func tearDown() {
        if case let .success(corpus)? = shared { try? FileManager.default.removeItem(at: corpus.directory) }
        shared = nil
        super.tearDown()
    }

    private func corpus() throws -> Corpus {
        if Self.shared == nil { Self.shared = Result { try makeCorpus() } }
        return try Self.shared!.get()
    }

    private func makeCorpus() throws -> Corpus {
        let model = try TestResources.miniLM()
        let dump = TestResources.packageRoot.appendingPathComponent("corpora/demo/demo-wiki.xml.bz2")
        guard FileManager.default.fileExists(atPath: dump.path) else { throw XCTSkip("demo corpus not found at \(dump.path)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-dense-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ingested = directory.appendingPathComponent("ingested.sqlite")
        let ingest = try quarry(["ingest", dump.path, "--db", ingested.path, "--quiet"], in: directory)
        guard ingest.status == 0 else { throw Failure("ingest failed: \(ingest.stderr)") }
        let embedded = directory.appendingPathComponent("embedded.sqlite")
        try copyStore(ingested, to: embedded)
        let started = Date()
        let embed = try quarry(["embed", "--model", model.path, "--db", embedded.path, "--json"] + Self.embedArguments, in: directory)
        guard embed.status == 0 else { throw Failure("embed failed: \(embed.stderr)") }
        return Corpus(directory: directory, ingested: ingested, embedded: embedded,
                      embedSeconds: Date().timeIntervalSince(started))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Copies a database with its write-ahead files and its caches.
    private func copyStore(_ from: URL, to: URL) throws {
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: from.path + suffix) {
            try fm.copyItem(atPath: from.path + suffix, toPath: to.path + suffix)
        }
        let caches = StoreFolder.caches.url(forDatabase: from)
        if fm.fileExists(atPath: caches.path) {
            try fm.copyItem(at: caches, to: StoreFolder.caches.url(forDatabase: to))
        }
    }

    private func cacheBytes(_ database: URL, _ file: String) throws -> Data {
        try Data(contentsOf: StoreFolder.caches.url(forDatabase: database).appendingPathComponent(file))
    }

    private struct Question: Decodable {
        let question: String
        let title: String
    }

    private func testQuestions() throws -> [Question] {
        let url = TestResources.packageRoot.appendingPathComponent("corpora/demo/qa/test.jsonl")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(Question.self, from: Data($0.utf8)) }
    }

    // MARK: - Retrieval quality

    func testDenseSearchFindsTheQuestionsArticle() throws {
        let corpus = try corpus()
        let store = try CorpusStore(url: corpus.embedded)
        let retriever = try DenseRetrieverSource.embeddingCache(name: "dense").open(store: store, prompts: Prompts())
        XCTAssertEqual(retriever.warnings, [])
        let questions = try testQuestions()
        XCTAssertEqual(questions.count, 150)
        let ranked = try retriever.retrieve(questions.map(\.question), k: 5)
        var found = 0, hybridFound = 0, bm25Found = 0
        for (question, hits) in zip(questions, ranked) {
            let titles = try hits.map { try XCTUnwrap(try store.passage(id: $0.passageID)).title }
            if titles.contains(question.title) { found += 1 }
            let hybrid = try HybridRetriever(sparse: BM25Retriever(store: store), dense: retriever).retrieve(question.question, k: 5)
            if hybrid.contains(where: { $0.title == question.title }) { hybridFound += 1 }
            if try store.bm25Search(query: question.question, k: 5).contains(where: { $0.title == question.title }) { bm25Found += 1 }
        }
        let rate = Double(found) / Double(questions.count)
        print("demo test questions, article in top 5: dense \(found)/150, hybrid \(hybridFound)/150, bm25 \(bm25Found)/150")
        // Measured: dense 149/150, hybrid 150/150 (BM25 alone 150/150: the demo questions share words with
        // their articles). The floors leave room for numeric noise, not for a broken encoder or cache.
        XCTAssertGreaterThanOrEqual(rate, 0.95, "dense top-5 article rate \(rate)")
        XCTAssertGreaterThanOrEqual(Double(hybridFound) / 150, 0.95, "hybrid top-5 article rate")

        // The CLI ranks as the library does, with the BM25 output format.
        for question in questions.prefix(3) {
            let result = try quarry(["search", "--dense", question.question, "--k", "5", "--json", "--db", corpus.embedded.path],
                                    in: corpus.directory)
            XCTAssertEqual(result.status, 0, result.stderr)
            let hits = try XCTUnwrap(try json(result.stdout) as? [[String: Any]])
            XCTAssertEqual(Set(hits.first.map { Array($0.keys) } ?? []), ["passage_id", "title", "text", "score"])
            let expected = try retriever.retrieve([question.question], k: 5)[0]
            XCTAssertEqual(hits.compactMap { ($0["passage_id"] as? NSNumber)?.int64Value }, expected.map(\.passageID))
            let scores = hits.compactMap { ($0["score"] as? NSNumber)?.doubleValue }
            XCTAssertEqual(scores, scores.sorted(by: >))
            XCTAssertLessThanOrEqual(scores.first ?? 2, 1.0001, "cosine scores of unit vectors")
            // `ask` retrieves through the same retriever as `search`.
            let asked = try quarry(["ask", question.question, "--retriever", "dense", "--reader", "none", "--k", "5", "--json",
                                    "--db", corpus.embedded.path], in: corpus.directory)
            XCTAssertEqual(asked.status, 0, asked.stderr)
            let passages = try XCTUnwrap((try json(asked.stdout) as? [String: Any])?["passages"] as? [[String: Any]])
            XCTAssertEqual(passages.compactMap { ($0["passage_id"] as? NSNumber)?.int64Value }, expected.map(\.passageID))
        }
        let hybrid = try quarry(["search", "--hybrid", questions[0].question, "--k", "4", "--json", "--db", corpus.embedded.path],
                                in: corpus.directory)
        XCTAssertEqual(hybrid.status, 0, hybrid.stderr)
        XCTAssertEqual((try json(hybrid.stdout) as? [[String: Any]])?.count, 4)
        // The hidden flags of earlier releases are spellings of `--retriever` values: the same rankings.
        for (alias, value) in [("--hybrid", "hybrid:dense"), ("--dense", "dense")] {
            let old = try quarry(["search", alias, questions[1].question, "--k", "4", "--json", "--db", corpus.embedded.path],
                                 in: corpus.directory)
            let new = try quarry(["search", "--retriever", value, questions[1].question, "--k", "4", "--json",
                                  "--db", corpus.embedded.path], in: corpus.directory)
            XCTAssertEqual(new.status, 0, new.stderr)
            XCTAssertEqual(new.stdout, old.stdout, "\(alias) against --retriever \(value)")
        }
        let both = try quarry(["search", "--dense", "--hybrid", "x", "--db", corpus.embedded.path], in: corpus.directory)
        XCTAssertNotEqual(both.status, 0)
        let missing = try quarry(["search", "--dense", "x", "--cache", "other", "--db", corpus.embedded.path], in: corpus.directory)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no embedding cache named other"), missing.stderr)
    }

    // MARK: - Kill and resume

    func testEmbedKilledAtRandomMomentsResumesToTheSameBytes() throws {
        let corpus = try corpus()
        let model = try TestResources.miniLM()
        let expectedRows = try cacheBytes(corpus.embedded, "dense.f32")
        let expectedList = try cacheBytes(corpus.embedded, "dense.passages")
        let passages = try CorpusStore(url: corpus.embedded).passageCount()
        XCTAssertEqual(expectedRows.count, passages * 384 * 4)
        XCTAssertEqual(expectedList.count, passages * 16)

        let directory = try TestResources.temporaryDirectory(for: self)
        let database = directory.appendingPathComponent("killed.sqlite")
        try copyStore(corpus.ingested, to: database)
        let arguments = ["embed", "--model", model.path, "--db", database.path] + Self.embedArguments
        var generator = SplitMix64(seed: 77)
        var killsLanded = 0
        var previousRows = 0
        // 20 seeded moments, short enough that most land before the job is done (each run resumes the last).
        for attempt in 0..<20 {
            let delay = Double.random(in: 0.2...(max(2, corpus.embedSeconds) * 0.15), using: &generator)
            if try runAndKill(arguments, in: directory, after: delay) { killsLanded += 1 }
            // Whatever the store counts as done is exactly the start of the uninterrupted result.
            let catalog = try EmbeddingCacheCatalog(database: try CorpusStore(url: database).pool)
            let rows = try catalog.record(named: "dense")?.rowsCompleted ?? 0
            XCTAssertGreaterThanOrEqual(rows, previousRows, "attempt \(attempt): rows are never lost")
            previousRows = rows
            if rows > 0 {
                XCTAssertEqual(try cacheBytes(database, "dense.f32").prefix(rows * 384 * 4), expectedRows.prefix(rows * 384 * 4),
                               "attempt \(attempt) after \(delay) s")
                XCTAssertEqual(try cacheBytes(database, "dense.passages").prefix(rows * 16), expectedList.prefix(rows * 16))
            }
        }
        XCTAssertGreaterThanOrEqual(killsLanded, 10, "most kills should land while the embedding runs")

        let resumed = try quarry(arguments.filter { $0 != "--quiet" } + ["--json"], in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let summary = try XCTUnwrap(try json(resumed.stdout) as? [String: Any])
        XCTAssertEqual(summary["resumed_from"] as? Int, previousRows)
        XCTAssertNil(summary["restarted_because"] as? String)
        XCTAssertEqual(try cacheBytes(database, "dense.f32"), expectedRows, "resumed cache equals the uninterrupted one byte for byte")
        XCTAssertEqual(try cacheBytes(database, "dense.passages"), expectedList)

        let again = try quarry(arguments + ["--json"], in: directory)
        XCTAssertEqual((try json(again.stdout) as? [String: Any])?["added"] as? Int, 0, "a finished cache has nothing to add")
    }

    // MARK: - Stale caches

    private func cacheStatus(_ database: URL, in directory: URL) throws -> [String: Any] {
        let stats = try quarry(["stats", "--json", "--db", database.path], in: directory)
        XCTAssertEqual(stats.status, 0, stats.stderr)
        let caches = try XCTUnwrap((try json(stats.stdout) as? [String: Any])?["caches"] as? [[String: Any]])
        return try XCTUnwrap(caches.first { $0["name"] as? String == "dense" })
    }

    func testStatsAndSearchReportAStaleOrUnfinishedCache() throws {
        let corpus = try corpus()
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let database = directory.appendingPathComponent("stale.sqlite")
        try copyStore(corpus.embedded, to: database)
        let made = try cacheStatus(database, in: directory)
        XCTAssertEqual(made["status"] as? String, "current")
        XCTAssertEqual(made["precision"] as? String, Precision.fastest.rawValue, "the default precision made the cache")

        // Passages ingested since: reported as unfinished, and the next embed adds only them.
        let extra = TestResources.packageRoot.appendingPathComponent("corpora/demo/extra/01-aurora.txt")
        XCTAssertEqual(try quarry(["ingest", extra.path, "--db", database.path, "--quiet"], in: directory).status, 0)
        let partial = try cacheStatus(database, in: directory)
        XCTAssertEqual(partial["status"] as? String, "partial")
        let search = try quarry(["search", "--dense", "aurora", "--db", database.path, "--json"], in: directory)
        XCTAssertEqual(search.status, 0, search.stderr)
        XCTAssertTrue(search.stderr.contains("warning: cache dense is partial"), search.stderr)
        let asked = try quarry(["ask", "aurora", "--retriever", "dense", "--reader", "none", "--db", database.path], in: directory)
        XCTAssertEqual(asked.status, 0, asked.stderr)
        XCTAssertTrue(asked.stderr.contains("cache dense is partial"), asked.stderr)
        let before = partial["rows"] as? Int ?? 0
        let embed = try quarry(["embed", "--model", model.path, "--db", database.path, "--json"], in: directory)
        let summary = try XCTUnwrap(try json(embed.stdout) as? [String: Any])
        XCTAssertEqual(summary["resumed_from"] as? Int, before)
        XCTAssertGreaterThan(summary["added"] as? Int ?? 0, 0)
        XCTAssertEqual(try cacheStatus(database, in: directory)["status"] as? String, "current")

        // Weights changed in place after the cache was made: stale for stats and search, rebuilt by embed.
        let changedModel = directory.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: changedModel, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: model.path) {
            try FileManager.default.copyItem(at: model.appendingPathComponent(name), to: changedModel.appendingPathComponent(name))
        }
        let manifestURL = StoreFolder.caches.url(forDatabase: database).appendingPathComponent("dense.json")
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
        manifest["model"] = changedModel.path
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        XCTAssertEqual(try cacheStatus(database, in: directory)["status"] as? String, "current", "same weights elsewhere")

        let weights = changedModel.appendingPathComponent("model.safetensors")
        let handle = try FileHandle(forUpdating: weights)
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 4)  // lowest mantissa byte of the last float
        let byte = try XCTUnwrap(try handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: size - 4)
        try handle.write(contentsOf: [byte ^ 1])
        try handle.close()
        let stale = try cacheStatus(database, in: directory)
        XCTAssertEqual(stale["status"] as? String, "stale")
        XCTAssertTrue((stale["detail"] as? String ?? "").contains("other weights"), "\(stale)")
        let staleSearch = try quarry(["search", "--dense", "aurora", "--db", database.path], in: directory)
        XCTAssertEqual(staleSearch.status, 0, staleSearch.stderr)
        XCTAssertTrue(staleSearch.stderr.contains("is stale"), staleSearch.stderr)
    }
}
