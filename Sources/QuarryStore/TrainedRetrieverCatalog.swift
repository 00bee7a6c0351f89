import Foundation
import GRDB

/// What the store records about one trained retriever: its files live in a folder beside the database
/// (`<database>.retrievers/<name>/`); this row says where, how it was trained, and which embedding cache
/// serves its searches: the corpus embedded by its trained passage encoder. The cache it sampled
/// negatives from while training (h(g′(Y)) for `corrected`) is kept beside it, searched only on request.
public struct TrainedRetrieverRecord: Codable, Equatable, Sendable {
    public var name: String
    /// The negatives strategy it was trained with (`corrected`, `refresh:50`, …).
    public var strategy: String
    /// The folder holding `query/`, `passage/`, `corrector.safetensors`, `config.json`, `ledger.json`, `metrics.jsonl`.
    public var folder: String
    /// The embedding cache its searches use: the corpus embedded by the trained passage encoder
    /// (`retriever-<name>`). Retrievers trained before served caches existed kept the corrected cache here.
    public var cacheName: String
    /// The model folder training started from.
    public var baseModel: String
    public var steps: Int
    public var createdAt: Date

    /// The trained query encoder's model folder.
    public var queryEncoderFolder: URL { URL(fileURLWithPath: folder).appendingPathComponent("query") }
    /// The trained passage encoder's model folder: the model that makes the served cache.
    public var passageEncoderFolder: URL { URL(fileURLWithPath: folder).appendingPathComponent("passage") }
    /// The cache training sampled negatives from, h(g′(Y)), when the strategy has a corrector.
    public var correctedCacheName: String { cacheName + "-corrected" }
    /// How a cache computed by a training run (not by a model folder) records its weights hash: such rows
    /// come from no passage encoder, so a served cache must never be one of them.
    public static let runMatrixHashPrefix = "retriever:"

    public init(name: String, strategy: String, folder: String, cacheName: String, baseModel: String, steps: Int, createdAt: Date) {
        self.name = name
        self.strategy = strategy
        self.folder = folder
        self.cacheName = cacheName
        self.baseModel = baseModel
        self.steps = steps
        self.createdAt = createdAt
    }
}

/// The `retrievers` table: one row per trained retriever (created by the store's migrations).
public struct TrainedRetrieverCatalog: Sendable {
    public let database: any DatabaseWriter

    /// Opens the catalog on a store database, creating its table if the database lacks it.
    public init(database: any DatabaseWriter) throws {
        self.database = database
        try StoreMigrations.ensureTable("retrievers", in: database, create: { try Self.createTable($0) })
    }

    public static func createTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS retrievers (
                name TEXT PRIMARY KEY NOT NULL,
                strategy TEXT NOT NULL,
                folder TEXT NOT NULL,
                cache_name TEXT NOT NULL,
                base_model TEXT NOT NULL,
                steps INTEGER NOT NULL CHECK (steps >= 0),
                created_at DATETIME NOT NULL
            )
            """)
    }

    public func record(named name: String) throws -> TrainedRetrieverRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM retrievers WHERE name = ?", arguments: [name]).map(Self.record(from:))
        }
    }

    public func all() throws -> [TrainedRetrieverRecord] {
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM retrievers ORDER BY name").map(Self.record(from:)) }
    }

    /// Creates or replaces the row of `record.name`.
    public func save(_ record: TrainedRetrieverRecord) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO retrievers (name, strategy, folder, cache_name, base_model, steps, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.name, record.strategy, record.folder, record.cacheName, record.baseModel,
                                 record.steps, record.createdAt])
        }
    }

    public func remove(named name: String) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM retrievers WHERE name = ?", arguments: [name]) }
    }

    private static func record(from row: Row) -> TrainedRetrieverRecord {
        TrainedRetrieverRecord(name: row["name"], strategy: row["strategy"], folder: row["folder"], cacheName: row["cache_name"],
                               baseModel: row["base_model"], steps: row["steps"], createdAt: row["created_at"])
    }
}
