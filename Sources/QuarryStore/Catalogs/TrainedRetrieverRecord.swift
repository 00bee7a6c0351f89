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

extension TrainedRetrieverRecord: NamedRecord {
    public static let databaseTableName = "retrievers"

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
}

/// The `retrievers` table: one row per trained retriever.
public typealias TrainedRetrieverCatalog = NamedCatalog<TrainedRetrieverRecord>
