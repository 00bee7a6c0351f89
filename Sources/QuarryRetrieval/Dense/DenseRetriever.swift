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
    /// The embedding cache it searches (a trained retriever's name differs from its cache's).
    var cacheName: String { get }
    /// Things the user should know before trusting the results (a stale cache, say).
    var warnings: [String] { get }
    /// The best `k` passages for each question, best first.
    func search(_ questions: [String], k: Int) throws -> [[RetrievedPassage]]
}

/// Which of a trained retriever's caches a search reads.
public enum TrainedRetrieverCache: String, Sendable {
    /// The corpus embedded by the trained passage encoder (`retriever-<name>`): what users are served.
    case served
    /// h(g′(Y)), the stale cache corrected by the corrector: what negative sampling saw during training.
    /// It only approximates the served cache, and is searched only when asked for (`NAME:corrected`).
    case corrected
}

/// Where a dense retriever comes from; `open` turns the choice into a ready retriever.
public enum DenseRetrieverSource: Sendable {
    /// A cache made by `quarry embed`, searched with its model (or `model`, which must make rows of the
    /// same dimension). A cache made by a trained retriever's passage encoder is searched with that
    /// retriever's query encoder, its pair.
    case embeddingCache(name: String, model: URL? = nil)
    /// A retriever made by `quarry train retriever`, searched with its query encoder over `cache`.
    case trainedRetriever(name: String, cache: TrainedRetrieverCache = .served)

    /// `NAME` (the served cache) or `NAME:corrected`, as `--retriever` takes them.
    public static func trainedRetriever(parsing value: String) -> DenseRetrieverSource {
        let suffix = ":" + TrainedRetrieverCache.corrected.rawValue
        if value.hasSuffix(suffix) { return .trainedRetriever(name: String(value.dropLast(suffix.count)), cache: .corrected) }
        return .trainedRetriever(name: value, cache: .served)
    }

    public func open(store: CorpusStore, prompts: Prompts) throws -> any DenseRetriever {
        switch self {
        case let .embeddingCache(name, model):
            if model == nil, let query = try Self.pairedQueryEncoder(ofCache: name, store: store) {
                return try CachedDenseRetriever(cacheName: name, store: store, model: query, prompts: prompts, pairedQueryEncoder: true)
            }
            return try CachedDenseRetriever(cacheName: name, store: store, model: model, prompts: prompts)
        case let .trainedRetriever(name, cache):
            guard let record = try TrainedRetrieverCatalog(database: store.pool).record(named: name) else {
                throw ServingError.noSuchRetriever(name: name)
            }
            return try TrainedRetrieverServing(record: record, store: store).open(cache, prompts: prompts)
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
    /// The embedding cache searched (for a trained retriever, not its name).
    public let cacheName: String
    public let warnings: [String]
    public let encoder: SentenceEncoder
    public let health: EmbeddingCacheHealth
    private let index: FlatInnerProductIndex
    private let rowPassageIDs: [Int64]
    private let prompts: Prompts

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
