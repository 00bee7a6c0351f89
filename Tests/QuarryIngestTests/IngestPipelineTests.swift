import GRDB
@testable import QuarryIngest
import QuarryStore
import QuarryTestSupport
import XCTest

final class IngestPipelineTests: IngestTestCase {
    func testReingestingTheSameInputAddsNothing() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        pipeline.batchDocuments = 7
        let documents = syntheticDocuments(40)
        let first = try pipeline.ingest(ArrayReader(documents), source: "mem", file: "memory")
        XCTAssertEqual(first.documentsNew, 40)
        XCTAssertEqual(first.passagesAdded, 120, "250 words make 3 passages")
        XCTAssertEqual(first.pagesRead, 40)
        let before = try contents(of: store)
        let second = try pipeline.ingest(ArrayReader(documents), source: "mem", file: "memory")
        XCTAssertEqual(second.documentsNew, 0)
        XCTAssertEqual(second.documentsUnchanged, 40)
        XCTAssertEqual(second.passagesAdded, 0)
        XCTAssertEqual(try contents(of: store), before)
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testAChangedDocumentHasItsPassagesReplaced() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter(words: 5))
        var documents = [
            SourceDocument(externalID: "1", title: "Rivers", sections: ["the danube flows east to the black sea"]),
            SourceDocument(externalID: "2", title: "Hills", sections: ["seven hills of rome"]),
        ]
        _ = try pipeline.ingest(ArrayReader(documents), source: "s", file: "memory")
        documents[0].sections = ["the rhine flows north"]
        let summary = try pipeline.ingest(ArrayReader(documents), source: "s", file: "memory")
        XCTAssertEqual(summary.documentsChanged, 1)
        XCTAssertEqual(summary.documentsUnchanged, 1)
        XCTAssertEqual(summary.passagesRemoved, 2)
        XCTAssertEqual(summary.passagesAdded, 1)
        XCTAssertEqual(try store.documentCount(), 2)
        XCTAssertEqual(try contents(of: store), ["2|0|Hills|seven hills of rome", "1|0|Rivers|the rhine flows north"])
        XCTAssertEqual(try store.bm25Search(query: "danube", k: 5), [])
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testSameIDsInAnotherSourceAreOtherDocuments() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let documents = syntheticDocuments(3)
        _ = try pipeline.ingest(ArrayReader(documents), source: "a", file: "a")
        var renumbered = syntheticDocuments(6).suffix(3).map { $0 }
        for index in renumbered.indices { renumbered[index].externalID = documents[index].externalID }
        let summary = try pipeline.ingest(ArrayReader(renumbered), source: "b", file: "b")
        XCTAssertEqual(summary.documentsNew, 3)
        XCTAssertEqual(summary.duplicatesElsewhere, [:])
        XCTAssertEqual(try store.sources().map(\.source), ["a", "b"])
    }

    /// The same documents under a new source (a dump moved or renamed) are refused before anything is
    /// written, naming the source that holds them; allowed, they are stored twice and counted.
    func testDocumentsStoredUnderAnotherSourceAreRefusedUnlessAllowed() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        pipeline.batchDocuments = 4
        let documents = syntheticDocuments(10)
        _ = try pipeline.ingest(ArrayReader(documents), source: "/dumps/old.xml", file: "/dumps/old.xml")
        let before = try contents(of: store)
        XCTAssertThrowsError(try pipeline.ingest(ArrayReader(documents), source: "mediawiki:xxwiki", file: "/dumps/new.xml")) { error in
            let refusal = (error as? IngestFailure)?.underlying as? DuplicateSourceError
            XCTAssertEqual(refusal?.otherSource, "/dumps/old.xml", "\(error)")
            XCTAssertEqual(refusal?.duplicates, 4)
            XCTAssertTrue("\(error)".contains("--source \"/dumps/old.xml\""), "\(error)")
            XCTAssertEqual((error as? IngestFailure)?.committed.documentsNew, 0)
        }
        XCTAssertEqual(try contents(of: store), before)
        XCTAssertEqual(try store.sources().map(\.source), ["/dumps/old.xml"])
        pipeline.allowsDuplicates = true
        let copied = try pipeline.ingest(ArrayReader(documents), source: "mediawiki:xxwiki", file: "/dumps/new.xml")
        XCTAssertEqual(copied.documentsNew, 10)
        XCTAssertEqual(copied.duplicatesElsewhere, ["/dumps/old.xml": 10])
        XCTAssertEqual(try store.documentCount(), 20)
    }

    /// Two collections sharing a few documents are stored as they come; the shared ones are counted.
    func testAFewSharedDocumentsAreCountedNotRefused() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let documents = syntheticDocuments(10)
        _ = try pipeline.ingest(ArrayReader(Array(documents.prefix(4))), source: "a", file: "a")
        let summary = try pipeline.ingest(ArrayReader(Array(documents.suffix(7))), source: "b", file: "b")
        XCTAssertEqual(summary.documentsNew, 7)
        XCTAssertEqual(summary.duplicatesElsewhere, ["a": 1])
    }

    /// Pruning leaves exactly what a fresh ingest of the new input makes: the same passages and the same
    /// BM25 hits and scores.
    func testPruningRemovesDocumentsTheInputNoLongerHolds() throws {
        let store = try makeStore()
        let splitter = try PassageSplitter()
        let first = IngestPipeline(store: store, splitter: splitter)
        first.batchDocuments = 3
        let documents = syntheticDocuments(10)
        _ = try first.ingest(ArrayReader(documents), source: "s", file: "old")
        var next = Array(documents.prefix(7))
        next[3].sections = ["the rhine flows north past cologne"]
        next.append(SourceDocument(externalID: "doc-new", title: "New", sections: ["a new page about rivers"]))
        let second = IngestPipeline(store: store, splitter: splitter)
        second.batchDocuments = 3
        second.recordsDocumentIDs = true
        var summary = try second.ingest(ArrayReader(next), source: "s", file: "new")
        summary.add(try second.prune(source: "s"))
        XCTAssertEqual(summary.documentsPruned, 3)
        XCTAssertEqual(summary.passagesPruned, 9, "250 words make 3 passages")
        XCTAssertTrue(summary.writtenDescription.contains("3 documents no longer in the input removed (9 passages)"))
        XCTAssertEqual(try store.integrityProblems(), [])

        let fresh = try CorpusStore(url: try TestResources.temporaryDirectory(for: self).appendingPathComponent("fresh.sqlite"))
        _ = try IngestPipeline(store: fresh, splitter: splitter).ingest(ArrayReader(next), source: "s", file: "new")
        XCTAssertEqual(Set(try contents(of: store)), Set(try contents(of: fresh)))
        func hits(_ query: String, _ store: CorpusStore) throws -> [String] {
            try store.bm25Search(query: query, k: 100).map { "\($0.text) \(String(format: "%.9f", $0.score))" }.sorted()
        }
        for query in ["w17", "w2999 w5", "rhine", "rivers", "w1 w2 w3"] {
            XCTAssertEqual(try hits(query, store), try hits(query, fresh), query)
        }
    }

    /// Other sources are never pruned.
    func testPruningTouchesOnlyItsSource() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let documents = syntheticDocuments(6)
        _ = try pipeline.ingest(ArrayReader(Array(documents.prefix(3))), source: "other", file: "other")
        _ = try pipeline.ingest(ArrayReader(Array(documents.suffix(3))), source: "s", file: "old")
        pipeline.recordsDocumentIDs = true
        _ = try pipeline.ingest(ArrayReader(Array(documents.suffix(1))), source: "s", file: "new")
        XCTAssertEqual(try pipeline.prune(source: "s").documentsPruned, 2)
        XCTAssertEqual(try store.sources().map(\.documents), [3, 1])
    }

    /// Parts of one dump are inputs of one source: pruning after both removes nothing either holds.
    func testPruningConsidersEveryInputOfTheSource() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let documents = syntheticDocuments(10)
        _ = try pipeline.ingest(ArrayReader(documents), source: "s", file: "all")
        pipeline.recordsDocumentIDs = true
        _ = try pipeline.ingest(ArrayReader(Array(documents.prefix(5))), source: "s", file: "part1")
        _ = try pipeline.ingest(ArrayReader(Array(documents.suffix(4))), source: "s", file: "part2")
        XCTAssertEqual(try pipeline.prune(source: "s").documentsPruned, 1, "doc-5 is in neither part")
        XCTAssertEqual(try store.documentCount(), 9)
    }

    /// Records skipped as malformed may be documents still in the input: the source is marked so that the
    /// caller withholds the prune.
    func testMalformedRecordsMarkTheSourceIncompletelyRead() throws {
        let pipeline = IngestPipeline(store: try makeStore(), splitter: try PassageSplitter())
        pipeline.recordsDocumentIDs = true
        pipeline.allowsDuplicates = true
        let reader = ArrayReader(syntheticDocuments(2))
        reader.skipped[.malformed] = 1
        _ = try pipeline.ingest(reader, source: "s", file: "f")
        _ = try pipeline.ingest(ArrayReader(syntheticDocuments(2)), source: "t", file: "g")
        XCTAssertEqual(pipeline.incompletelyReadSources, ["s"])
        XCTAssertEqual(pipeline.documentIDs["t"], ["doc-0", "doc-1"])
    }

    func testAReaderErrorCommitsTheDocumentsBeforeIt() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        pipeline.batchDocuments = 2  // documents 0–1 form a full batch, document 2 waits in the next one
        let documents = syntheticDocuments(6)
        XCTAssertThrowsError(try pipeline.ingest(ArrayReader(documents, failAt: 3), source: "s", file: "input.xml")) { error in
            let failure = try? XCTUnwrap(error as? IngestFailure)
            XCTAssertEqual(failure?.committed.documentsNew, 3)
            XCTAssertEqual(failure?.committed.passagesAdded, 9)
            let message = "\(error)"
            XCTAssertTrue(message.contains("broken on purpose"), message)
            XCTAssertTrue(message.contains("input.xml") && message.contains("3 new"), message)
        }
        XCTAssertEqual(try store.documentCount(), 3)
        XCTAssertEqual(try store.pool.read { try String.fetchAll($0, sql: "SELECT external_id FROM documents ORDER BY id") },
                       ["doc-0", "doc-1", "doc-2"])
        // Running again with the input fixed finishes the job without duplicates.
        let rerun = try pipeline.ingest(ArrayReader(documents), source: "s", file: "input.xml")
        XCTAssertEqual(rerun.documentsUnchanged, 3)
        XCTAssertEqual(rerun.documentsNew, 3)
        XCTAssertEqual(try store.passageCount(), 18)
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testDocumentsWithoutWordsAreSkippedAsEmpty() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let documents = [SourceDocument(externalID: "1", title: "Blank", sections: ["  \n"]),
                         SourceDocument(externalID: "2", title: "Full", sections: ["words here"])]
        let summary = try pipeline.ingest(ArrayReader(documents), source: "s", file: "m")
        XCTAssertEqual(summary.skipped[.empty], 1)
        XCTAssertEqual(summary.pagesRead, 2)
        XCTAssertEqual(summary.documentsNew, 1)
    }

    func testDuplicateIDsWithinOneBatchKeepTheLastVersion() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let documents = [SourceDocument(externalID: "1", title: "A", sections: ["first text"]),
                         SourceDocument(externalID: "1", title: "A", sections: ["second text"])]
        let summary = try pipeline.ingest(ArrayReader(documents), source: "s", file: "m")
        XCTAssertEqual(summary.documentsNew, 1)
        XCTAssertEqual(summary.documentsChanged, 1)
        XCTAssertEqual(try contents(of: store), ["1|0|A|second text"])
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testProgressIsReportedWithGrowingCounts() throws {
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        pipeline.progressInterval = 0
        var reports: [IngestProgress] = []
        _ = try pipeline.ingest(ArrayReader(syntheticDocuments(20)), source: "s", file: "m", totalBytes: 100_000) {
            reports.append($0)
        }
        XCTAssertGreaterThanOrEqual(reports.count, 20)
        XCTAssertEqual(reports.map(\.pagesRead), reports.map(\.pagesRead).sorted())
        XCTAssertEqual(reports.last?.passages, 60)
        XCTAssertEqual(reports.last?.totalBytes, 100_000)
        XCTAssertNotNil(reports.last?.secondsRemaining)
    }
}
