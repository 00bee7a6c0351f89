import Foundation
import GRDB

/// What the store records about one embedding cache: the vectors themselves live in a float32 file
/// beside the database; this row says how many of them are complete and which weights produced them.
public struct EmbeddingCacheRecord: Codable, Equatable, Sendable {
    /// The cache's name (`dense` unless the user chose another); also the retriever's name.
    public var name: String
    /// Floats per row.
    public var dimension: Int
    /// Rows written and synced to disk; rows past this count in the file are not to be trusted.
    public var rowsCompleted: Int
    /// The model folder the passages were encoded with.
    public var modelPath: String
    /// Hash of the weights that produced the rows; a different hash means the cache is stale.
    public var weightsHash: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, dimension: Int, rowsCompleted: Int, modelPath: String, weightsHash: String,
                createdAt: Date, updatedAt: Date) {
        self.name = name
        self.dimension = dimension
        self.rowsCompleted = rowsCompleted
        self.modelPath = modelPath
        self.weightsHash = weightsHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The `embedding_caches` table: one row per named cache (created by the store's migrations).
public struct EmbeddingCacheCatalog: Sendable {
    public let database: any DatabaseWriter

    /// Opens the catalog on a store database, creating its table if the database lacks it.
    public init(database: any DatabaseWriter) throws {
        self.database = database
        try StoreMigrations.ensureTable("embedding_caches", in: database, create: { try Self.createTable($0) })
    }

    /// The table, for the store's migrator.
    public static func createTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS embedding_caches (
                name TEXT PRIMARY KEY NOT NULL,
                dimension INTEGER NOT NULL CHECK (dimension > 0),
                rows_completed INTEGER NOT NULL DEFAULT 0 CHECK (rows_completed >= 0),
                model_path TEXT NOT NULL,
                weights_hash TEXT NOT NULL,
                created_at DATETIME NOT NULL,
                updated_at DATETIME NOT NULL
            )
            """)
    }

    /// The record of cache `name`, or nil when there is none.
    public func record(named name: String) throws -> EmbeddingCacheRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM embedding_caches WHERE name = ?", arguments: [name])
                .map(Self.record(from:))
        }
    }

    /// Every cache, by name.
    public func all() throws -> [EmbeddingCacheRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM embedding_caches ORDER BY name").map(Self.record(from:))
        }
    }

    /// Creates or replaces the record of `record.name`.
    public func save(_ record: EmbeddingCacheRecord) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO embedding_caches
                    (name, dimension, rows_completed, model_path, weights_hash, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.name, record.dimension, record.rowsCompleted, record.modelPath,
                                 record.weightsHash, record.createdAt, record.updatedAt])
        }
    }

    /// Advances (or resets) the completed row count of cache `name`.
    public func setRowsCompleted(_ rows: Int, forCache name: String, at date: Date = Date()) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE embedding_caches SET rows_completed = ?, updated_at = ? WHERE name = ?",
                           arguments: [rows, date, name])
            guard db.changesCount == 1 else { throw EmbeddingCacheCatalogError.noSuchCache(name) }
        }
    }

    /// Forgets cache `name` (the caller removes its file).
    public func remove(named name: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM embedding_caches WHERE name = ?", arguments: [name])
        }
    }

    private static func record(from row: Row) -> EmbeddingCacheRecord {
        EmbeddingCacheRecord(
            name: row["name"], dimension: row["dimension"], rowsCompleted: row["rows_completed"],
            modelPath: row["model_path"], weightsHash: row["weights_hash"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}

public enum EmbeddingCacheCatalogError: Error, CustomStringConvertible, Equatable {
    case noSuchCache(String)

    public var description: String {
        switch self {
        case let .noSuchCache(name): return "no embedding cache named \(name) in the store"
        }
    }
}
