import Foundation
import QuarryRetrieval
import QuarryStore
import QuarryText

/// What `--retriever` names: `bm25`, a trained retriever (`NAME`, or `NAME:corrected` for the cache it
/// sampled from) or an embedding cache name, `hybrid` (BM25 fused with the default dense cache) or
/// `hybrid:NAME`.
public enum RetrieverChoice: Equatable, Sendable {
    case bm25
    case dense(String)
    case hybrid(String)
    /// Nothing asked for: the default dense cache when it exists, else BM25.
    case automatic

    public init(_ text: String?) {
        guard let text, !text.isEmpty else { self = .automatic; return }
        if text == "bm25" { self = .bm25 } else if text == "hybrid" { self = .hybrid(EmbeddingCache.defaultName) } else if text.hasPrefix("hybrid:") {
            self = .hybrid(String(text.dropFirst("hybrid:".count)))
        } else {
            self = .dense(text)
        }
    }

    /// Opens the chosen retriever; `note` receives a line for the user when the choice falls back.
    public func open(store: CorpusStore, prompts: Prompts, note: (String) -> Void = { _ in }) throws -> PassageRetriever {
        switch self {
        case .bm25:
            return BM25Retriever(store: store)
        case .automatic:
            if try Self.cacheExists(EmbeddingCache.defaultName, in: store) {
                return try DensePassageRetriever(store: store, source: .embeddingCache(name: EmbeddingCache.defaultName),
                                                 prompts: prompts)
            }
            note("no embedding cache named \(EmbeddingCache.defaultName) (run `quarry embed`): retrieving with BM25")
            return BM25Retriever(store: store)
        case let .dense(name):
            return try Self.openNamed(name, store: store, prompts: prompts)
        case let .hybrid(name):
            return HybridRetriever(sparse: BM25Retriever(store: store), dense: try Self.openNamed(name, store: store, prompts: prompts))
        }
    }

    /// A trained retriever (`NAME` serves the corpus embedded by its passage encoder, `NAME:corrected` the
    /// cache it sampled from) or else an embedding cache of that name.
    static func openNamed(_ name: String, store: CorpusStore, prompts: Prompts) throws -> PassageRetriever {
        let trained = DenseRetrieverSource.trainedRetriever(parsing: name)
        if case let .trainedRetriever(retriever, _) = trained,
           try TrainedRetrieverCatalog(database: store.pool).record(named: retriever) != nil {
            return try DensePassageRetriever(store: store, source: trained, prompts: prompts)
        }
        guard try cacheExists(name, in: store) else {
            let known = try EmbeddingCacheCatalog(database: store.pool).all().map(\.name)
            throw ReaderError.badConfiguration("no embedding cache or trained retriever named \(name)"
                + (known.isEmpty ? " (run `quarry embed` first, or use --retriever bm25)" : "; known: \(known.joined(separator: ", ")), bm25, hybrid"))
        }
        return try DensePassageRetriever(store: store, source: .embeddingCache(name: name), prompts: prompts)
    }

    static func cacheExists(_ name: String, in store: CorpusStore) throws -> Bool {
        try EmbeddingCacheCatalog(database: store.pool).record(named: name) != nil
    }
}
