import GRDB
import GRDBSQLite

/// A document as stored: its row id and the hash of the content it was stored with.
public struct StoredDocument: Equatable, Sendable {
    public var id: Int64
    public var contentHash: String
}

/// The bulk write path, valid inside one `CorpusStore.writeBatch` transaction. Prepared statements are
/// bound and stepped through the SQLite C API: GRDB's per-row conveniences cost more than the insert.
///
/// The FTS5 rows for new passages are added once, at `finish()`, with one INSERT … SELECT over the id
/// range written in this transaction; removals update the index immediately (FTS5 needs the old text to
/// delete it). Both happen in the caller's transaction, so passages and index commit together.
public final class CorpusWriter {
    /// When new passages enter the full-text index (kept switchable for `quarry-bench store`).
    public enum Indexing: String, CaseIterable, Sendable {
        /// One INSERT … SELECT over the batch's id range before commit.
        case endOfBatch
        /// One FTS5 insert per passage, right after it.
        case perRow
    }

    public static var indexing = Indexing.endOfBatch
    private let db: Database
    private let findDocument: PreparedStatement
    private let findContentElsewhere: PreparedStatement
    private let insertDocument: PreparedStatement
    private let insertPassage: PreparedStatement
    private let indexPassage: PreparedStatement
    private let indexing = CorpusWriter.indexing
    /// The first passage id written in this transaction; passages from here on are not indexed yet.
    private var firstNewPassageID: Int64?

    init(db: Database) throws {
        self.db = db
        let connection = db.sqliteConnection!
        findDocument = try PreparedStatement(connection,
            "SELECT id, content_hash FROM documents WHERE source = ?1 AND external_id = ?2")
        findContentElsewhere = try PreparedStatement(connection,
            "SELECT source FROM documents WHERE content_hash = ?1 AND source <> ?2 LIMIT 1")
        insertDocument = try PreparedStatement(connection,
            "INSERT INTO documents (source, external_id, title, content_hash) VALUES (?1, ?2, ?3, ?4)")
        insertPassage = try PreparedStatement(connection,
            "INSERT INTO passages (document_id, ordinal, title, text) VALUES (?1, ?2, ?3, ?4)")
        indexPassage = try PreparedStatement(connection,
            "INSERT INTO passages_fts (rowid, title, text) VALUES (?1, ?2, ?3)")
    }

    /// The stored document with this identity, if any.
    public func storedDocument(source: String, externalID: String) throws -> StoredDocument? {
        try findDocument.reset()
        findDocument.bind(1, source)
        findDocument.bind(2, externalID)
        guard try findDocument.step() else { return nil }
        return StoredDocument(id: findDocument.int64(0), contentHash: findDocument.text(1))
    }

    /// A source other than `source` under which a document with this content hash is stored, if any.
    public func otherSource(storing contentHash: String, besides source: String) throws -> String? {
        try findContentElsewhere.reset()
        findContentElsewhere.bind(1, contentHash)
        findContentElsewhere.bind(2, source)
        guard try findContentElsewhere.step() else { return nil }
        return findContentElsewhere.text(0)
    }

    /// Removes every document of `source` whose external id is not in `kept`, with its passages and their
    /// index entries, in this transaction. Returns how many documents and passages went.
    public func removeDocuments(source: String, keeping kept: Set<String>) throws -> (documents: Int, passages: Int) {
        var absent: [Int64] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT id, external_id FROM documents WHERE source = ?", arguments: [source])
        while let row = try rows.next() {
            if !kept.contains(row[1]) { absent.append(row[0]) }
        }
        var passages = 0
        for id in absent { passages += try removeDocument(id: id) }
        return (absent.count, passages)
    }

    /// Removes a document, its passages and their index entries. Returns the number of passages removed.
    @discardableResult
    public func removeDocument(id: Int64) throws -> Int {
        let indexedBelow = firstNewPassageID ?? Int64.max
        // FTS5 external-content deletes must quote the indexed values exactly as they were inserted.
        try db.execute(sql: """
            INSERT INTO passages_fts (passages_fts, rowid, title, text)
            SELECT 'delete', id, title, text FROM passages WHERE document_id = ? AND id < ?
            """, arguments: [id, indexedBelow])
        try db.execute(sql: "DELETE FROM passages WHERE document_id = ?", arguments: [id])
        let removed = db.changesCount
        try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [id])
        return removed
    }

    /// Adds a document and its passages (in reading order). Returns the new document id and the passage ids.
    @discardableResult
    public func addDocument(source: String, externalID: String, title: String, contentHash: String,
                            passages: [String]) throws -> (documentID: Int64, passageIDs: ClosedRange<Int64>?) {
        try insertDocument.reset()
        insertDocument.bind(1, source)
        insertDocument.bind(2, externalID)
        insertDocument.bind(3, title)
        insertDocument.bind(4, contentHash)
        _ = try insertDocument.step()
        let documentID = sqlite3_last_insert_rowid(db.sqliteConnection)
        var first: Int64?
        var last: Int64 = 0
        for (ordinal, text) in passages.enumerated() {
            try insertPassage.reset()
            insertPassage.bind(1, documentID)
            insertPassage.bind(2, Int64(ordinal))
            insertPassage.bind(3, title)
            insertPassage.bind(4, text)
            _ = try insertPassage.step()
            last = sqlite3_last_insert_rowid(db.sqliteConnection)
            if first == nil { first = last }
            if indexing == .perRow {
                try indexPassage.reset()
                indexPassage.bind(1, last)
                indexPassage.bind(2, title)
                indexPassage.bind(3, text)
                _ = try indexPassage.step()
            }
        }
        if indexing == .endOfBatch, firstNewPassageID == nil, let first { firstNewPassageID = first }
        return (documentID, first.map { $0...last })
    }

    /// Indexes the passages written in this transaction. Called by `writeBatch` before it commits.
    func finish() throws {
        guard let first = firstNewPassageID else { return }
        try db.execute(sql: """
            INSERT INTO passages_fts (rowid, title, text) SELECT id, title, text FROM passages WHERE id >= ?
            """, arguments: [first])
        firstNewPassageID = nil
    }
}
