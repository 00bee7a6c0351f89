import Foundation
import QuarryStore
import QuarryText

/// Exact search over an embedding cache: the question goes through the query template and the model,
/// then `FlatInnerProductIndex` scores every memory-mapped row.
public final class CachedDenseRetriever: Retriever {
    public let name: String
    /// The embedding cache searched (for a trained retriever, not its name).
    public let cacheName: String?
    public let warnings: [String]
    public let encoder: SentenceEncoder
    public let health: EmbeddingCacheHealth
    private let index: FlatInnerProductIndex
    private let rowPassageIDs: [Int64]
    private let prompts: Prompts
    private let store: CorpusStore

    /// `warnsWhenStale` is off for a trained retriever's corrected cache, which by design was not made by
    /// the query encoder it is searched with. With `pairedQueryEncoder`, `model` is the query half of the
    /// encoder pair that made the cache, and the cache is checked against its own (passage) model.
    /// `displayName` is what results are labelled with (the cache's name by default); `refreshCommand` is what
    /// a warning tells the user to run when the cache is stale or unfinished.
    public init(cacheName: String, store: CorpusStore, model: URL? = nil, prompts: Prompts,
                warnsWhenStale: Bool = true, pairedQueryEncoder: Bool = false, displayName: String? = nil,
                refreshCommand: String = "quarry embed") throws {
        let cache = try EmbeddingCache(name: cacheName, databaseURL: store.url,
                                       catalog: try EmbeddingCacheCatalog(database: store.pool))
        guard let record = try cache.record() else { throw EmbeddingCacheError.missing(name: cacheName) }
        let manifest = try EmbeddingCacheManifest.load(for: cache)
        let folder = (model ?? URL(fileURLWithPath: manifest?.model ?? record.modelPath)).standardizedFileURL
        encoder = try SentenceEncoder(modelFolder: folder)
        guard encoder.dimension == record.dimension else {
            throw EmbeddingJobError.dimensionMismatch(cache: cacheName, cacheDimension: record.dimension,
                                                      model: folder.path, modelDimension: encoder.dimension)
        }
        let reuse = manifest?.model == folder.path ? manifest?.weights : nil
        health = try EmbeddingCacheHealth.check(cache, store: store,
                                                weights: pairedQueryEncoder ? nil : try WeightsFingerprint.of(modelFolder: folder, reusing: reuse))
        var warnings = [String]()
        if (warnsWhenStale && health.isStale) || health.rows < health.passages {
            warnings.append("cache \(cacheName) is \(health.summary(refreshCommand: refreshCommand))")
        }
        self.warnings = warnings
        name = displayName ?? cacheName
        self.cacheName = cacheName
        index = try cache.flatIndex()
        // Corrected caches saved before 2026-12-08 keep no passage list: their rows follow the store's
        // passage order as it was when they were made (their health says so once passages changed).
        rowPassageIDs = FileManager.default.fileExists(atPath: CachedPassageList.url(for: cache).path)
            ? try CachedPassageList.passageIDs(for: cache, count: index.count)
            : try store.passageIDs(limit: index.count)
        self.prompts = prompts
        self.store = store
    }

    public func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        guard !questions.isEmpty else { return [] }
        let queries = try encoder.embed(questions.map(prompts.renderQuery))
        return try index.search(queries, k: k).map { neighbors in
            let ids = neighbors.map { rowPassageIDs[$0.id] }
            let stored = Dictionary(try store.passages(ids: ids).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            // A row whose passage has left the store (a stale cache) is skipped.
            return zip(ids, neighbors).compactMap { id, neighbor in
                stored[id].map { RetrievedPassage(passageID: id, title: $0.title, text: $0.text, score: Double(neighbor.score)) }
            }
        }
    }
}
