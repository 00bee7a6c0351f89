import Foundation
import QuarryRetrieval
import QuarryStore

/// One embedding cache as `stats` reports it: its size, its model, and whether it still matches them.
struct CacheStatsJSON: Encodable {
    var name: String
    var rows: Int
    var dimension: Int
    var model: String
    /// fp32 or bf16: the encoder precision that made the rows (absent without a manifest).
    var precision: String?
    /// "current", "partial" or "stale".
    var status: String
    var detail: String

    /// Every cache of the store, checked against its model's weights and the passages.
    static func all(in corpus: CorpusStore) throws -> [CacheStatsJSON] {
        // Opening the catalog creates its table: leave a store that never had a cache as it is.
        guard try corpus.tables().contains(where: { $0.name == "embedding_caches" }) else { return [] }
        let catalog = try EmbeddingCacheCatalog(database: corpus.pool)
        return try catalog.all().map { record in
            let cache = try EmbeddingCache(name: record.name, databaseURL: corpus.url, catalog: catalog)
            let health = try EmbeddingCacheHealth.check(cache, store: corpus)
            return CacheStatsJSON(name: record.name, rows: health.rows, dimension: health.dimension, model: health.model,
                                  precision: health.precision?.rawValue,
                                  status: health.isStale ? "stale" : health.isCurrent ? "current" : "partial",
                                  detail: health.summary)
        }
    }

    var line: String {
        "\(name): \(rows) rows of \(dimension) floats, made in \(precision ?? "unknown precision") by model \(model); \(detail)"
    }
}
