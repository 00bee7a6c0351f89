import GRDB
@testable import QuarryStore
import XCTest

final class PassageStorageTests: StoreTestCase {
    func testPassagesKeepReadingOrderAndTitles() throws {
        let store = try makeStore()
        let first = try add(store, id: "a", title: "Alpha", passages: ["a0", "a1", "a2"])
        let second = try add(store, id: "b", title: "Beta", passages: ["b0", "b1"])
        XCTAssertEqual(try store.passageCount(), 5)
        XCTAssertEqual(try store.documentCount(), 2)
        let bounds = try XCTUnwrap(try store.passageIDBounds())
        let all = try store.passages(in: bounds)
        XCTAssertEqual(all.map(\.text), ["a0", "a1", "a2", "b0", "b1"])
        XCTAssertEqual(all.map(\.ordinal), [0, 1, 2, 0, 1])
        XCTAssertEqual(all.map(\.documentID), [first, first, first, second, second])
        XCTAssertEqual(all.map(\.title), ["Alpha", "Alpha", "Alpha", "Beta", "Beta"])
        XCTAssertEqual(all.map(\.id), Array(bounds), "ids are dense and increasing when nothing was replaced")
        XCTAssertEqual(try store.passage(id: all[3].id), all[3])
        XCTAssertNil(try store.passage(id: bounds.upperBound + 1))
        XCTAssertEqual(try store.sources(), [SourceSummary(source: "test", documents: 2, passages: 5)])
    }

    func testPassagesByTitleGroupEveryDocumentOfATitleInOrder() throws {
        let store = try makeStore()
        try add(store, id: "a", title: "Alpha", passages: ["a0", "a1"])
        try add(store, id: "b", title: "Beta", passages: ["b0"])
        try add(store, source: "other", id: "a", title: "Alpha", passages: ["x0"])
        try add(store, id: "g", title: "Gamma", passages: ["g0"])
        let found = try store.passages(titled: ["Alpha", "Beta", "Delta"])
        XCTAssertEqual(found.mapValues { $0.map(\.text) }, ["Alpha": ["a0", "a1", "x0"], "Beta": ["b0"]])
        XCTAssertEqual(try store.passages(titled: []), [:])
        // A lookup by title goes through the title index, not a scan of every passage.
        let plan = try store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + CorpusStore.passagesTitledSQL(count: 2),
                             arguments: ["Alpha", "Beta"]).map { $0["detail"] as String }
        }
        XCTAssertTrue(plan.contains { $0.contains("documents_by_title") }, "\(plan)")
    }

    /// What relevance judgements need: each passage's document id as the source gave it, and back.
    func testPassagesAndDocumentExternalIDs() throws {
        let store = try makeStore()
        try add(store, id: "184", title: "Lift", passages: ["l0", "l1"])
        try add(store, id: "29", title: "Drag", passages: ["d0"])
        try add(store, source: "other", id: "184", title: "Lift again", passages: ["x0"])
        let byDocument = try store.passageIDs(ofDocuments: ["184", "29", "missing"])
        XCTAssertEqual(Set(byDocument.keys), ["184", "29"])
        XCTAssertEqual(try byDocument["184"]!.map { try store.passage(id: $0)!.text }, ["l0", "l1", "x0"],
                       "documents of two sources sharing an id are merged, each in reading order")
        let ids = byDocument["184"]! + byDocument["29"]! + [999]
        XCTAssertEqual(try store.documentExternalIDs(passageIDs: ids + ids),
                       Dictionary(uniqueKeysWithValues: zip(ids.dropLast(), ["184", "184", "184", "29"])))
    }

    func testPagingAfterAnIDSkipsGaps() throws {
        let store = try makeStore()
        try add(store, id: "a", title: "A", passages: ["a0", "a1"])
        let b = try add(store, id: "b", title: "B", passages: ["b0", "b1"])
        try add(store, id: "c", title: "C", passages: ["c0"])
        try store.writeBatch { try $0.removeDocument(id: b) }
        var seen: [String] = []
        var cursor: Int64 = 0
        while case let page = try store.passages(after: cursor, limit: 2), !page.isEmpty {
            seen += page.map(\.text)
            cursor = page.last!.id
        }
        XCTAssertEqual(seen, ["a0", "a1", "c0"])
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testAFailedBatchWritesNothing() throws {
        struct Stop: Error {}
        let store = try makeStore()
        XCTAssertThrowsError(try store.writeBatch { writer in
            try writer.addDocument(source: "s", externalID: "1", title: "T", contentHash: "h", passages: ["p"])
            throw Stop()
        })
        XCTAssertEqual(try store.documentCount(), 0)
        XCTAssertEqual(try store.passageCount(), 0)
        XCTAssertEqual(try store.bm25Search(query: "p", k: 5), [])
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testReplacingADocumentKeepsTheIndexInStep() throws {
        let store = try makeStore()
        let old = try add(store, id: "a", title: "Rivers", passages: ["the danube flows east", "past vienna"])
        try add(store, id: "b", title: "Mountains", passages: ["the alps are high"])
        try store.writeBatch { writer in
            XCTAssertEqual(try writer.storedDocument(source: "test", externalID: "a")?.id, old)
            XCTAssertEqual(try writer.removeDocument(id: old), 2)
            try writer.addDocument(source: "test", externalID: "a", title: "Rivers", contentHash: "h2",
                                   passages: ["the rhine flows north"])
        }
        XCTAssertEqual(try store.bm25Search(query: "danube", k: 5), [])
        XCTAssertEqual(try store.bm25Search(query: "rhine", k: 5).map(\.text), ["the rhine flows north"])
        XCTAssertEqual(try store.passageCount(), 2)
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testRemovingADocumentAddedInTheSameBatch() throws {
        // Its passages are not indexed yet when it is removed: the index must not be asked to forget them.
        let store = try makeStore()
        try add(store, id: "x", title: "Old", passages: ["indexed before"])
        try store.writeBatch { writer in
            let added = try writer.addDocument(source: "test", externalID: "a", title: "T", contentHash: "1",
                                               passages: ["first version"])
            try writer.removeDocument(id: added.documentID)
            try writer.addDocument(source: "test", externalID: "a", title: "T", contentHash: "2",
                                   passages: ["second version"])
        }
        XCTAssertEqual(try store.bm25Search(query: "first", k: 5), [])
        XCTAssertEqual(try store.bm25Search(query: "second", k: 5).count, 1)
        XCTAssertEqual(try store.bm25Search(query: "indexed", k: 5).count, 1)
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testIntegrityCheckNoticesAnIndexOutOfStep() throws {
        let store = try makeStore()
        try add(store, id: "a", title: "T", passages: ["some words here"])
        try store.pool.write { db in
            try db.execute(sql: "UPDATE passages SET text = 'entirely different' WHERE id = (SELECT min(id) FROM passages)")
        }
        XCTAssertFalse(try store.integrityProblems().isEmpty, "the check must be able to fail")
    }
}
