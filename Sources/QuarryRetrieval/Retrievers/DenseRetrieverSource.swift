import Foundation
import QuarryStore
import QuarryText

/// Which of a trained retriever's caches a search reads.
public enum TrainedRetrieverCache: String, Sendable {
    /// The corpus embedded by the trained passage encoder (`retriever-<name>`): what users are served.
    case served
    /// h(g′(Y)), the stale cache corrected by the corrector: what negative sampling saw during training.
    /// It only approximates the served cache, and is searched only when asked for (`NAME:corrected`).
    case corrected
}

/// Where a dense ranking comes from; `open` turns the choice into a ready retriever.
public enum DenseRetrieverSource: Equatable, Sendable {
    /// A name as `--retriever` takes it: a trained retriever (`NAME`, or `NAME:corrected` for the cache it
    /// sampled from), else an embedding cache of that name searched with `queryModel` when given.
    case named(String, queryModel: URL? = nil)
    /// A cache made by `quarry embed`, searched with its model (or `model`, which must make rows of the
    /// same dimension). A cache made by a trained retriever's passage encoder is searched with that
    /// retriever's query encoder, its pair.
    case embeddingCache(name: String, model: URL? = nil)
    /// A retriever made by `quarry train retriever`, searched with its query encoder over `cache`.
    case trainedRetriever(name: String, cache: TrainedRetrieverCache = .served)

    /// `NAME` (the served cache) or `NAME:corrected`.
    public static func trainedRetriever(parsing value: String) -> DenseRetrieverSource {
        let suffix = ":" + TrainedRetrieverCache.corrected.rawValue
        if value.hasSuffix(suffix) { return .trainedRetriever(name: String(value.dropLast(suffix.count)), cache: .corrected) }
        return .trainedRetriever(name: value, cache: .served)
    }

    /// The same source with the query encoded by `model` (a plain embedding cache only: a trained
    /// retriever always uses its own query encoder).
    public func withQueryModel(_ model: URL) -> DenseRetrieverSource {
        switch self {
        case let .named(name, _): return .named(name, queryModel: model)
        case let .embeddingCache(name, _): return .embeddingCache(name: name, model: model)
        case .trainedRetriever: return self
        }
    }

    public func open(store: CorpusStore, prompts: Prompts) throws -> CachedDenseRetriever {
        switch self {
        case let .named(name, model):
            return try Self.resolving(name, queryModel: model, store: store).open(store: store, prompts: prompts)
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
    /// A trained retriever of that name, else an embedding cache of that name; neither is an error that
    /// lists the caches there are.
    static func resolving(_ name: String, queryModel: URL?, store: CorpusStore) throws -> DenseRetrieverSource {
        let trained = trainedRetriever(parsing: name)
        if case let .trainedRetriever(retriever, _) = trained,
           try TrainedRetrieverCatalog(database: store.pool).record(named: retriever) != nil {
            return trained
        }
        let caches = try EmbeddingCacheCatalog(database: store.pool)
        guard try caches.record(named: name) != nil else {
            throw RetrieverChoiceError.noSuchRetriever(name: name, knownCaches: try caches.all().map(\.name))
        }
        return .embeddingCache(name: name, model: queryModel)
    }

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
