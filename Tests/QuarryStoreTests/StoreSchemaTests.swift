import GRDB
@testable import QuarryStore
import XCTest

final class StoreSchemaTests: StoreTestCase {
    func testMigrationsAreAppliedOnceInOrder() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.appliedMigrations(), StoreMigrations.all.map(\.name))
        let reopened = try CorpusStore(url: store.url)
        XCTAssertEqual(try reopened.appliedMigrations(), StoreMigrations.all.map(\.name))
        let names = try reopened.tables().map(\.name)
        XCTAssertEqual(names, ["documents", "embedding_caches", "passages", "passages_fts", "readers", "retrievers"])
    }

    func testExtraMigrationsRunAfterTheCoreSchema() throws {
        let store = try makeStore()
        let cache = StoreMigration("test-embedding-cache") { db in
            try db.execute(sql: "CREATE TABLE test_cache (passage_id INTEGER PRIMARY KEY REFERENCES passages(id))")
        }
        let extended = try CorpusStore(url: store.url, extraMigrations: [cache])
        XCTAssertEqual(try extended.appliedMigrations().last, "test-embedding-cache")
        XCTAssertTrue(try extended.tables().contains { $0.name == "test_cache" && $0.kind == "table" })
    }

    func testDatabaseIsInWALMode() throws {
        let store = try makeStore()
        let mode = try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }

    func testDocumentIdentityIsUniquePerSource() throws {
        let store = try makeStore()
        try add(store, source: "a", id: "1", title: "One", passages: ["x"])
        try add(store, source: "b", id: "1", title: "One", passages: ["y"])
        XCTAssertThrowsError(try add(store, source: "a", id: "1", title: "Again", passages: ["z"]))
        XCTAssertEqual(try store.documentCount(), 2)
        XCTAssertEqual(try store.passageCount(), 2, "the failed transaction left nothing behind")
    }

    func testUnopenableDatabaseIsAClearError() throws {
        let directory = try makeStore().url.deletingLastPathComponent()
        let file = directory.appendingPathComponent("junk.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: file)
        XCTAssertThrowsError(try CorpusStore(url: file)) { error in
            XCTAssertTrue("\(error)".contains("junk.sqlite"), "\(error)")
        }
    }
}
