import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// Base class for tests that need a database: each call to `makeStore()` opens a fresh one in a temporary
/// directory that is removed when the test ends.
class StoreTestCase: XCTestCase {
    func makeStore() throws -> CorpusStore {
        try CorpusStore(url: try TestResources.temporaryDatabase(for: self))
    }

    /// Adds one document with the given passages in its own transaction.
    @discardableResult
    func add(_ store: CorpusStore, source: String = "test", id: String, title: String,
             passages: [String]) throws -> Int64 {
        try store.writeBatch { writer in
            try writer.addDocument(source: source, externalID: id, title: title, contentHash: "h-\(id)",
                                   passages: passages).documentID
        }
    }
}
