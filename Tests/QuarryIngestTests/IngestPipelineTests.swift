import GRDB
@testable import QuarryIngest
import QuarryStore
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
        let summary = try pipeline.ingest(ArrayReader(documents), source: "b", file: "b")
        XCTAssertEqual(summary.documentsNew, 3)
        XCTAssertEqual(try store.sources().map(\.source), ["a", "b"])
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
