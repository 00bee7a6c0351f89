import Foundation
import QuarryStore
import XCTest

final class ReaderCatalogTests: StoreTestCase {
    func testReadersAreRecordedReplacedAndListedNewestFirst() throws {
        let store = try makeStore()
        let catalog = try store.readers
        XCTAssertNil(try catalog.record(named: "reader"))
        let first = Date(timeIntervalSince1970: 1_000_000)
        try catalog.save(ReaderRecord(name: "reader", path: "/r/reader", baseModel: "/m", supervision: "gold-context",
                                      steps: 10, questions: 80, createdAt: first, updatedAt: first))
        try catalog.save(ReaderRecord(name: "other", path: "/r/other", baseModel: "/m", supervision: "retrieved:bm25",
                                      steps: 5, questions: 40, createdAt: first.addingTimeInterval(10), updatedAt: first.addingTimeInterval(10)))
        XCTAssertEqual(try catalog.all().map(\.name), ["other", "reader"])
        // Saving again replaces the row (ReaderLibrary passes the first creation time on).
        try catalog.save(ReaderRecord(name: "reader", path: "/r/reader", baseModel: "/m", supervision: "gold-context",
                                      steps: 20, questions: 80, createdAt: first.addingTimeInterval(99), updatedAt: first.addingTimeInterval(20)))
        let record = try XCTUnwrap(try catalog.record(named: "reader"))
        XCTAssertEqual(record.steps, 20)
        XCTAssertEqual(record.createdAt, first.addingTimeInterval(99))
        XCTAssertEqual(try catalog.all().map(\.name), ["reader", "other"])
        try catalog.remove(named: "other")
        XCTAssertEqual(try catalog.all().map(\.name), ["reader"])
        XCTAssertEqual(StoreFolder.readers.url(forDatabase: URL(fileURLWithPath: "/data/q.sqlite")).path, "/data/q.sqlite.readers")
    }
}
