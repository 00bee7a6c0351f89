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

extension EmbeddingCacheRecord: NamedRecord {
    public static let databaseTableName = "embedding_caches"

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
}

/// The `embedding_caches` table: one row per named cache.
public typealias EmbeddingCacheCatalog = NamedCatalog<EmbeddingCacheRecord>

extension NamedCatalog where Record == EmbeddingCacheRecord {
    /// Advances (or resets) the completed row count of cache `name`.
    public func setRowsCompleted(_ rows: Int, forCache name: String, at date: Date = Date()) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE embedding_caches SET rows_completed = ?, updated_at = ? WHERE name = ?",
                           arguments: [rows, date, name])
            guard db.changesCount == 1 else { throw EmbeddingCacheCatalogError.noSuchCache(name) }
        }
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
