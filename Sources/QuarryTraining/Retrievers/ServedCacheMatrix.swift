import Foundation
import QuarryRetrieval
import QuarryStore

/// A served cache read back in training-corpus row order, to evaluate what users will search with the
/// same questions and answer index the run evaluated on.
struct ServedCacheMatrix {
    var rows: [Float]
    /// The token limit its passages were embedded with (the model's, as `quarry embed` uses).
    var maxTokens: Int?

    static func load(name: String, store: CorpusStore, corpus: TrainingCorpus) throws -> ServedCacheMatrix {
        let cache = try EmbeddingCache(name: name, databaseURL: store.url, catalog: try EmbeddingCacheCatalog(database: store.pool))
        let mapped = try cache.mapMatrix()
        let ids = try CachedPassageList.passageIDs(for: cache, count: mapped.rows)
        guard let base = mapped.base, ids == corpus.passageIDs else {
            // Both follow the store's passage order, and the run's writer lock kept the store as it was.
            throw TrainingError.invalidArgument("cache \(name) holds \(ids.count) passages in an order other than the \(corpus.count) "
                                                + "the run trained with: the store changed during training")
        }
        return ServedCacheMatrix(rows: Array(UnsafeBufferPointer(start: base, count: mapped.rows * mapped.dimension)),
                                 maxTokens: try EmbeddingCacheManifest.load(for: cache)?.maxTokens)
    }
}
