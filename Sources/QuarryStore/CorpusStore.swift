import Foundation
import GRDB

/// The SQLite database behind every stage: documents, passages, the BM25 index, and whatever tables later
/// stages add through `StoreMigrations`. A `DatabasePool` in WAL mode: one writer, concurrent readers.
public final class CorpusStore: @unchecked Sendable {
    /// The underlying pool, for stages that keep their own tables in this database.
    public let pool: DatabasePool
    /// Where the database lives.
    public let url: URL
    /// Whether BM25 searches through FTS5 leave out words found in half the passages or more (off only to
    /// measure, by `quarry-bench store`).
    public var pruneCommonTerms = true
    /// Whether BM25 searches score with `BM25Impacts` (off only to compare with FTS5's own ranking).
    public var usesImpacts = true
    /// Postings and row lengths for BM25, read from the index on demand and shared by every search.
    let bm25Impacts = BM25Impacts()

    /// Opens (creating when missing) the database at `url` and applies pending migrations.
    public init(url: URL, extraMigrations: [StoreMigration] = []) throws {
        self.url = url
        var configuration = Configuration()
        // Another process may hold SQLite's write lock for one batch (or a checkpoint): wait for it rather
        // than fail with "database is locked". Whole jobs are kept apart by `WriterLock`.
        configuration.busyMode = .timeout(60)
        configuration.prepareDatabase { db in
            // NORMAL is safe in WAL mode: a crash can lose the last commits on power loss, never consistency.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        do {
            pool = try DatabasePool(path: url.path, configuration: configuration)
            try StoreMigrations.migrator(extra: extraMigrations).migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: url.path, reason: error.message ?? "\(error)")
        }
    }

    /// Runs `body` in one write transaction with the bulk writer. Everything `body` writes commits
    /// together or not at all (a crash rolls the whole transaction back).
    public func writeBatch<T>(_ body: (CorpusWriter) throws -> T) throws -> T {
        try pool.write { db in
            let writer = try CorpusWriter(db: db)
            let result = try body(writer)
            try writer.finish()
            return result
        }
    }

    /// Bytes on disk: the main file plus the write-ahead log.
    public func fileSize() -> Int64 {
        let manager = FileManager.default
        return ["", "-wal"].reduce(Int64(0)) { total, suffix in
            let attributes = try? manager.attributesOfItem(atPath: url.path + suffix)
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }
}

/// A store failure a user can act on.
public enum StoreError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open database \(path): \(reason)"
        }
    }
}
