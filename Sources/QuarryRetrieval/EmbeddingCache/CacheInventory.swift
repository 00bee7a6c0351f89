import Foundation
import QuarryRetrieval
import QuarryStore

/// One embedding cache of a store as `stats` reports it: its size, its model, and whether it still matches them.
public struct CacheInventoryEntry: Encodable, Sendable {
    public var name: String
    public var rows: Int
    public var dimension: Int
    public var model: String
    /// fp32 or bf16: the encoder precision that made the rows (absent without a manifest).
    public var precision: String?
    /// "current", "partial" or "stale"; "sampling" for a trained retriever's corrected cache.
    public var status: String
    public var detail: String

    /// Every cache of the store, checked against its model's weights and the passages.
    public static func all(in corpus: CorpusStore) throws -> [CacheInventoryEntry] {
        // Opening the catalog creates its table: leave a store that never had a cache as it is.
        guard try corpus.tables().contains(where: { $0.name == "embedding_caches" }) else { return [] }
        let catalog = try EmbeddingCacheCatalog(database: corpus.pool)
        let retrievers = try TrainedRetrieverCatalog(database: corpus.pool).all()
        return try catalog.all().map { record in
            if let owner = retrievers.first(where: { $0.correctedCacheName == record.name })
                ?? retrievers.first(where: { $0.cacheName == record.name && record.weightsHash.hasPrefix(TrainedRetrieverRecord.runMatrixHashPrefix) }) {
                // Computed by the corrector, not by a model: no weights to compare, and never served by default.
                return CacheInventoryEntry(name: record.name, rows: record.rowsCompleted, dimension: record.dimension, model: record.modelPath,
                                      precision: nil, status: "sampling",
                                      detail: "the corrected cache retriever \(owner.name) sampled negatives from while training; "
                                          + "searched only as --retriever \(owner.name):corrected")
            }
            let cache = try EmbeddingCache(name: record.name, databaseURL: corpus.url, catalog: catalog)
            let health = try EmbeddingCacheHealth.check(cache, store: corpus)
            let owner = retrievers.first { $0.cacheName == record.name }
            let detail = owner.map { "served by retriever \($0.name); " + health.summary(refreshCommand: "quarry embed --retriever \($0.name)") }
            return CacheInventoryEntry(name: record.name, rows: health.rows, dimension: health.dimension, model: health.model,
                                  precision: health.precision?.rawValue,
                                  status: health.isStale ? "stale" : health.isCurrent ? "current" : "partial",
                                  detail: detail ?? health.summary)
        }
    }

    /// The entry as one line of `stats`.
    public var line: String {
        "\(name): \(rows) rows of \(dimension) floats, made in \(precision ?? "unknown precision") by model \(model); \(detail)"
    }
}
