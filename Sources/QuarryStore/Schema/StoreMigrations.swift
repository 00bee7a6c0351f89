import GRDB

/// One named schema step. Names are recorded in the database by `DatabaseMigrator`, so a step runs once
/// and steps never change after they ship: add a new one instead.
public struct StoreMigration: Sendable {
    public let name: String
    public let apply: @Sendable (Database) throws -> Void

    public init(_ name: String, _ apply: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.apply = apply
    }
}

/// The whole schema, in order. Adding a table for a later stage (embedding caches, retrievers, runs) is
/// one line here plus the function that creates it.
public enum StoreMigrations {
    public static let all: [StoreMigration] = [
        StoreMigration("documents-and-passages") { try createDocumentsAndPassages($0) },
        StoreMigration("passage-fts5-index") { try createPassageIndex($0) },
        StoreMigration("passage-fts5-vocabulary") { try createPassageVocabulary($0) },
        StoreMigration("reader-catalog") { try ReaderRecord.createTable($0) },
        StoreMigration("embedding-caches") { try EmbeddingCacheRecord.createTable($0) },
        StoreMigration("trained-retrievers") { try TrainedRetrieverRecord.createTable($0) },
        StoreMigration("passage-fts5-bulk-hash") { try enlargePassageIndexHash($0) },
        StoreMigration("passage-fts5-instances") { try createPassageInstances($0) },
        StoreMigration("documents-by-title") { try indexDocumentTitles($0) },
        StoreMigration("documents-by-content-hash") { try indexDocumentContent($0) },
    ]

    /// The tokenizer of `passages_fts`, as FTS5 arguments; BM25 searches tokenize query words with it.
    static let passageTokenizer = ["unicode61", "remove_diacritics", "2"]

    /// Creates a catalog's table on a database the migrator has not prepared (a bare database in tests,
    /// a store from before the table's migration), writing only when the table is missing, so opening a
    /// catalog on a prepared store never takes the write lock.
    static func ensureTable(_ table: String, in database: any DatabaseWriter,
                            create: @escaping @Sendable (Database) throws -> Void) throws {
        if try database.read({ try $0.tableExists(table) }) { return }
        try database.write { try create($0) }
    }

    /// A migrator that applies `all` and then `extra` (for modules that keep their tables elsewhere).
    public static func migrator(extra: [StoreMigration] = []) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for step in all + extra {
            migrator.registerMigration(step.name, migrate: step.apply)
        }
        return migrator
    }

    /// Documents are identified by (source, external id); the content hash decides whether a re-ingest
    /// changes anything. Passages get their rowid in reading order, so later stages page through them by id.
    static func createDocumentsAndPassages(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE documents (
                id INTEGER PRIMARY KEY,
                source TEXT NOT NULL,
                external_id TEXT NOT NULL,
                title TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                UNIQUE (source, external_id)
            );
            CREATE TABLE passages (
                id INTEGER PRIMARY KEY,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                title TEXT NOT NULL,
                text TEXT NOT NULL
            );
            CREATE INDEX passages_by_document ON passages(document_id, ordinal);
            """)
    }

    /// BM25 over passage title and text. External content: the index stores no second copy of the text,
    /// and rows are added and removed by the store's writer inside the same transactions as `passages`
    /// (no triggers: explicit statements let the bulk path batch them).
    static func createPassageIndex(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE passages_fts USING fts5(
                title, text,
                content = 'passages', content_rowid = 'id',
                tokenize = '\(passageTokenizer.joined(separator: " "))'
            );
            """)
    }

    /// Document frequency of every indexed term (read-only view over the index), so searches can leave out
    /// words too common to carry weight.
    static func createPassageVocabulary(_ db: Database) throws {
        try db.execute(sql: "CREATE VIRTUAL TABLE passages_fts_terms USING fts5vocab(passages_fts, 'row')")
    }

    /// Every occurrence of every indexed term (read-only view over the index: term, row, column, offset),
    /// from which BM25 searches read a word's postings once instead of scoring each row through FTS5.
    static func createPassageInstances(_ db: Database) throws {
        try db.execute(sql: "CREATE VIRTUAL TABLE passages_fts_instances USING fts5vocab(passages_fts, 'instance')")
    }

    /// FTS5 collects new postings in memory and writes them out as a segment whenever they pass `hashsize`
    /// (1 MB by default); every segment is later merged again. At 8 MB a bulk ingest writes and merges far
    /// fewer segments, which cut the index's CPU time by about 40% in the ingest benchmark, for a few MB of
    /// memory during a write. What the index holds, and so every BM25 score, is unchanged.
    static func enlargePassageIndexHash(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO passages_fts (passages_fts, rank) VALUES ('hashsize', 8388608)")
    }

    /// `train reader --gold-context` and `eval --gold-context` fetch the passages of the articles a QA set
    /// names; without an index that is a scan of every passage. Indexing documents rather than passages
    /// costs one index entry per document at ingest, and passages follow through `passages_by_document`.
    static func indexDocumentTitles(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX documents_by_title ON documents(title)")
    }

    /// An ingest asks, for each new document, whether the same content is already stored under another
    /// source (the same dump under another file name, say), which a scan of every document would make slow.
    static func indexDocumentContent(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX documents_by_content_hash ON documents(content_hash)")
    }
}
