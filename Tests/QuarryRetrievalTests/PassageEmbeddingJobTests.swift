import Foundation
import QuarryNN
import QuarryStore
import QuarryTestSupport
import QuarryText
import XCTest
@testable import QuarryRetrieval

/// The embedding job on a small store: rows equal the encoder's output for the rendered passages, in id
/// order; a changed template or passage set is noticed; replaced passages that reuse ids are caught.
final class PassageEmbeddingJobTests: XCTestCase {
    private var store: CorpusStore!
    private var encoder: SentenceEncoder!

    override func setUpWithError() throws {
        encoder = try SentenceEncoder(modelFolder: try TestResources.miniLM())
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent("store.sqlite")
        store = try CorpusStore(url: url)
        try add("rivers", title: "Rivers", passages: [
            "The Danube flows through Vienna and Budapest to the Black Sea.",
            "The Rhine flows north through Basel and Cologne to the North Sea.",
        ])
        try add("peaks", title: "Mountains", passages: ["Mont Blanc is the highest mountain of the Alps."])
    }

    private func add(_ id: String, title: String, passages: [String]) throws {
        try store.writeBatch { writer in
            _ = try writer.addDocument(source: "test", externalID: id, title: title, contentHash: id + "\(passages.hashValue)",
                                       passages: passages)
        }
    }

    private func cache(_ name: String = "dense") throws -> EmbeddingCache {
        try EmbeddingCache(name: name, databaseURL: store.url, catalog: try EmbeddingCacheCatalog(database: store.pool))
    }

    func testRowsAreTheEncodedPassagesInIDOrder() throws {
        let job = try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts())
        job.windowSize = 2
        let summary = try job.run()
        XCTAssertEqual(summary.rows, 3)
        XCTAssertNil(summary.restartReason)
        let passages = try store.passages(after: 0, limit: 10)
        let expected = try encoder.embed(passages.map { "\($0.title)\n\($0.text)" })
        let matrix = try cache().mapMatrix()
        XCTAssertEqual(matrix.rows, 3)
        for i in 0..<(3 * 384) { XCTAssertEqual(matrix.base![i], expected[i], accuracy: 1e-5) }
        XCTAssertEqual(try CachedPassageList.passageIDs(for: try cache(), count: 3), passages.map(\.id))
        let health = try EmbeddingCacheHealth.check(try cache(), store: store)
        XCTAssertTrue(health.isCurrent, health.summary)
    }

    func testTemplateChangeRestartsAndNewPassagesAreAppended() throws {
        try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        try add("lakes", title: "Lakes", passages: ["Lake Baikal is the deepest lake on Earth."])
        XCTAssertEqual(try EmbeddingCacheHealth.check(try cache(), store: store).summary.prefix(8), "partial:")
        let resumed = try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        XCTAssertEqual(resumed.resumedFrom, 3)
        XCTAssertEqual(resumed.added, 1)

        let directory = try TestResources.temporaryDirectory(for: self)
        try Data("{text}\n".utf8).write(to: directory.appendingPathComponent("passage.txt"))
        let textOnly = try PassageEmbeddingJob(store: store, encoder: encoder, prompts: try Prompts(directory: directory)).run()
        XCTAssertEqual(textOnly.restartReason, "the passage template changed")
        XCTAssertEqual(textOnly.added, 4)
    }

    /// A cache made in one precision is never continued in the other: the run says so and starts again.
    func testPrecisionChangeRestartsAndIsRecorded() throws {
        encoder.encoder.precision = .fp32
        try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        XCTAssertEqual(try EmbeddingCacheManifest.load(for: try cache())?.precision, .fp32)
        try add("lakes", title: "Lakes", passages: ["Lake Baikal is the deepest lake on Earth."])
        encoder.encoder.precision = .bf16
        let restarted = try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        XCTAssertEqual(restarted.restartReason, "the cache was made in fp32, this run encodes in bf16 (--precision fp32 resumes it)")
        XCTAssertEqual(restarted.resumedFrom, 0)
        XCTAssertEqual(restarted.rows, 4)
        XCTAssertEqual(try EmbeddingCacheManifest.load(for: try cache())?.precision, .bf16)
        XCTAssertEqual(try EmbeddingCacheHealth.check(try cache(), store: store).precision, .bf16)
        let again = try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        XCTAssertNil(again.restartReason)
        XCTAssertEqual(again.resumedFrom, 4)
    }

    func testReplacedPassagesMakeTheCacheStale() throws {
        try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        // Replacing the newest document frees its ids, and SQLite gives them to the new passages.
        let peaks = try XCTUnwrap(try store.passages(after: 0, limit: 10).last)
        try store.writeBatch { writer in
            try writer.removeDocument(id: peaks.documentID)
            _ = try writer.addDocument(source: "test", externalID: "peaks", title: "Mountains", contentHash: "other",
                                       passages: ["Mount Everest is the highest mountain above sea level."])
        }
        XCTAssertEqual(try store.passages(after: 0, limit: 10).last?.id, peaks.id, "the id was reused")
        let health = try EmbeddingCacheHealth.check(try cache(), store: store)
        XCTAssertTrue(health.isStale)
        XCTAssertTrue(health.summary.contains("replaced"), health.summary)
        let rebuilt = try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        XCTAssertEqual(rebuilt.restartReason, "passages changed since the cache was made (row 2)")
        XCTAssertTrue(try EmbeddingCacheHealth.check(try cache(), store: store).isCurrent)
    }

    func testFingerprintSeparatesTitleFromText() {
        XCTAssertNotEqual(CachedPassageEntry.fingerprint(title: "ab", text: "c"), CachedPassageEntry.fingerprint(title: "a", text: "bc"))
        XCTAssertEqual(CachedPassageEntry.fingerprint(title: "a", text: "b"), CachedPassageEntry.fingerprint(title: "a", text: "b"))
    }

    /// A cache made by a trained retriever's passage encoder is searched with the retriever's query encoder.
    func testCacheOfATrainedPassageEncoderPairsWithItsQueryEncoder() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let retrieverFolder = directory.appendingPathComponent("store.sqlite.retrievers/pair")
        let model = try TestResources.miniLM()
        for half in ["passage", "query"] {
            let to = retrieverFolder.appendingPathComponent(half)
            try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: to, withDestinationURL: model)
        }
        try TrainedRetrieverCatalog(database: store.pool).save(TrainedRetrieverRecord(
            name: "pair", strategy: "corrected", folder: retrieverFolder.path, cacheName: "retriever-pair", baseModel: model.path,
            steps: 1, createdAt: Date()))
        XCTAssertNil(try DenseRetrieverSource.pairedQueryEncoder(ofCache: "dense", store: store), "no such cache yet")
        try PassageEmbeddingJob(store: store, encoder: encoder, prompts: Prompts()).run()
        XCTAssertNil(try DenseRetrieverSource.pairedQueryEncoder(ofCache: "dense", store: store), "made by the plain model")
        let passageEncoder = try SentenceEncoder(modelFolder: retrieverFolder.appendingPathComponent("passage"))
        try PassageEmbeddingJob(store: store, cacheName: "fresh", encoder: passageEncoder, prompts: Prompts()).run()
        XCTAssertEqual(try DenseRetrieverSource.pairedQueryEncoder(ofCache: "fresh", store: store)?.standardizedFileURL.path,
                       retrieverFolder.appendingPathComponent("query").path)
        let opened = try DenseRetrieverSource.embeddingCache(name: "fresh").open(store: store, prompts: Prompts())
        XCTAssertEqual(opened.warnings, [], "checked against the passage encoder that made it: current")
        XCTAssertEqual(try opened.retrieve(["Which river flows to the Black Sea?"], k: 1)[0].first?.passageID,
                       try store.passages(after: 0, limit: 1).first?.id)
    }
}
