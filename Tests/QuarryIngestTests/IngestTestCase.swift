import GRDB
import Foundation
import QuarryIngest
import QuarryStore
import QuarryTestSupport
import XCTest

/// A reader over documents held in memory, which can be told to fail at a given position.
final class ArrayReader: DocumentReader {
    private var documents: [SourceDocument]
    private var position = 0
    private let failAt: Int?
    var skipped: [SkipReason: Int] = [:]
    var bytesRead: Int64 = 0

    struct Broken: Error, CustomStringConvertible {
        var description: String { "memory: document 3: broken on purpose" }
    }

    init(_ documents: [SourceDocument], failAt: Int? = nil) {
        self.documents = documents
        self.failAt = failAt
    }

    func next() throws -> SourceDocument? {
        if position == failAt { throw Broken() }
        guard position < documents.count else { return nil }
        defer { position += 1 }
        bytesRead += Int64(documents[position].sections.joined().utf8.count)
        return documents[position]
    }
}

/// Base class for ingest tests: temporary stores and files, synthetic documents.
class IngestTestCase: XCTestCase {
    func makeStore() throws -> CorpusStore {
        try CorpusStore(url: try TestResources.temporaryDatabase(for: self))
    }

    /// A file with `contents` in a fresh temporary directory.
    func makeFile(_ name: String, _ contents: [UInt8]) throws -> URL {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent(name)
        try Data(contents).write(to: url)
        return url
    }

    func makeFile(_ name: String, _ text: String) throws -> URL {
        try makeFile(name, Array(text.utf8))
    }

    /// `count` documents of `words` synthetic words each, deterministic.
    func syntheticDocuments(_ count: Int, words: Int = 250) -> [SourceDocument] {
        var generator = SplitMix64(seed: 7)
        return (0..<count).map { index in
            let text = (0..<words).map { _ in "w\(generator.next() % 3000)" }.joined(separator: " ")
            return SourceDocument(externalID: "doc-\(index)", title: "Document \(index)", sections: [text])
        }
    }

    /// Every passage as (document external id, ordinal, title, text), in id order.
    func contents(of store: CorpusStore) throws -> [String] {
        try store.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT d.external_id || '|' || p.ordinal || '|' || p.title || '|' || p.text
                FROM passages p JOIN documents d ON d.id = p.document_id ORDER BY p.id
                """)
        }
    }
}
