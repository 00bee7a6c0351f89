import Foundation
import QuarryStore
import QuarryText

/// A passage a retriever found, with its score (higher is better).
public struct RetrievedPassage: Equatable, Sendable {
    public var passageID: Int64
    public var score: Double

    public init(passageID: Int64, score: Double) {
        self.passageID = passageID
        self.score = score
    }
}

/// Anything that ranks stored passages for questions by embeddings: an embedding cache with the model that
/// made it, or a trained retriever.
public protocol DenseRetriever: AnyObject {
    /// The name `search`, `ask` and `eval` know it by.
    var name: String { get }
    /// Things the user should know before trusting the results (a stale cache, say).
    var warnings: [String] { get }
    /// The best `k` passages for each question, best first.
    func search(_ questions: [String], k: Int) throws -> [[RetrievedPassage]]
}

/// Where a dense retriever comes from; `open` turns the choice into a ready retriever.
public enum DenseRetrieverSource: Sendable {
    /// A cache made by `quarry embed`, searched with its model (or `model`, which must make rows of the
    /// same dimension). A cache made by a trained retriever's passage encoder is searched with that
    /// retriever's query encoder, its pair.
    case embeddingCache(name: String, model: URL? = nil)
    /// A retriever made by `quarry train retriever`: its corrected cache, searched with its query encoder.
    case trainedRetriever(name: String)

    public func open(store: CorpusStore, prompts: Prompts) throws -> any DenseRetriever {
        switch self {
        case let .embeddingCache(name, model):
            if model == nil, let query = try Self.pairedQueryEncoder(ofCache: name, store: store) {
                return try CachedDenseRetriever(cacheName: name, store: store, model: query, prompts: prompts, pairedQueryEncoder: true)
            }
            return try CachedDenseRetriever(cacheName: name, store: store, model: model, prompts: prompts)
        case let .trainedRetriever(name):
            guard let record = try TrainedRetrieverCatalog(database: store.pool).record(named: name) else {
                throw EmbeddingCacheError.missing(name: name)
            }
            return try CachedDenseRetriever(cacheName: record.cacheName, store: store,
                                            model: record.queryEncoderFolder, prompts: prompts, warnsWhenStale: false)
        }
    }
}

extension DenseRetrieverSource {
    /// The query encoder of the trained retriever whose passage encoder made cache `name`, if any (a trained
    /// retriever's two encoders differ, so its passages re-embedded by `quarry embed` need its query encoder).
    static func pairedQueryEncoder(ofCache name: String, store: CorpusStore) throws -> URL? {
        guard let record = try EmbeddingCacheCatalog(database: store.pool).record(named: name) else { return nil }
        let maker = URL(fileURLWithPath: record.modelPath).standardizedFileURL.path
        return try TrainedRetrieverCatalog(database: store.pool).all().first {
            URL(fileURLWithPath: $0.folder).appendingPathComponent("passage").standardizedFileURL.path == maker
                && FileManager.default.fileExists(atPath: $0.queryEncoderFolder.appendingPathComponent("config.json").path)
        }?.queryEncoderFolder
    }
}

/// Exact search over an embedding cache: the question goes through the query template and the model,
/// then `FlatInnerProductIndex` scores every memory-mapped row.
public final class CachedDenseRetriever: DenseRetriever {
    public let name: String
    public let warnings: [String]
    public let encoder: SentenceEncoder
    public let health: EmbeddingCacheHealth
    private let index: FlatInnerProductIndex
    private let rowPassageIDs: [Int64]
    private let prompts: Prompts

    /// `warnsWhenStale` is off for a trained retriever's corrected cache, which by design was not made by
    /// the query encoder it is searched with. With `pairedQueryEncoder`, `model` is the query half of the
    /// encoder pair that made the cache, and the cache is checked against its own (passage) model.
    public init(cacheName: String, store: CorpusStore, model: URL? = nil, prompts: Prompts,
                warnsWhenStale: Bool = true, pairedQueryEncoder: Bool = false) throws {
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
        if (warnsWhenStale && health.isStale) || health.rows < health.passages { warnings.append("cache \(cacheName) is \(health.summary)") }
        self.warnings = warnings
        name = cacheName
        index = try cache.flatIndex()
        // Caches written by the trainer keep no passage list: their rows follow the store's passage order.
        rowPassageIDs = FileManager.default.fileExists(atPath: CachedPassageList.url(for: cache).path)
            ? try CachedPassageList.passageIDs(for: cache, count: index.count)
            : try store.passageIDs(limit: index.count)
        self.prompts = prompts
    }

    public func search(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        guard !questions.isEmpty else { return [] }
        let queries = try encoder.embed(questions.map(prompts.renderQuery))
        return try index.search(queries, k: k).map { neighbors in
            neighbors.map { RetrievedPassage(passageID: rowPassageIDs[$0.id], score: Double($0.score)) }
        }
    }
}
