import Foundation
import QuarryStore
import QuarryText

/// What `--retriever` names, on every command that retrieves: `bm25`, a trained retriever (`NAME`, or
/// `NAME:corrected` for the cache it sampled from) or an embedding cache name, `hybrid` (BM25 fused with
/// the default dense cache) or `hybrid:NAME`; nothing (or an empty value) is the automatic choice.
public enum RetrieverChoice: Equatable, Sendable {
    case bm25
    case dense(DenseRetrieverSource)
    /// BM25 fused with the dense source by reciprocal rank.
    case hybrid(DenseRetrieverSource)
    /// Nothing asked for: the default dense cache when it exists, else BM25.
    case automatic

    /// The one parser of a `--retriever` value.
    public init(parsing value: String?) {
        guard let value, !value.isEmpty else { self = .automatic; return }
        let hybridPrefix = "hybrid:"
        if value == "bm25" {
            self = .bm25
        } else if value == "hybrid" {
            self = .hybrid(.named(EmbeddingCache.defaultName))
        } else if value.hasPrefix(hybridPrefix) {
            self = .hybrid(.named(String(value.dropFirst(hybridPrefix.count))))
        } else {
            self = .dense(.named(value))
        }
    }

    /// The dense ranking fused with BM25; BM25 and the automatic choice stay as they are.
    public var fusedWithBM25: RetrieverChoice {
        if case let .dense(source) = self { return .hybrid(source) }
        return self
    }

    /// The same choice with the query of a plain embedding cache encoded by `model`.
    public func withQueryModel(_ model: URL) -> RetrieverChoice {
        switch self {
        case let .dense(source): return .dense(source.withQueryModel(model))
        case let .hybrid(source): return .hybrid(source.withQueryModel(model))
        case .bm25, .automatic: return self
        }
    }

    /// Opens the chosen retriever; `note` receives a line for the user when the choice falls back.
    public func open(store: CorpusStore, prompts: Prompts, note: (String) -> Void = { _ in }) throws -> any Retriever {
        switch self {
        case .bm25:
            return BM25Retriever(store: store)
        case .automatic:
            if try EmbeddingCacheCatalog(database: store.pool).record(named: EmbeddingCache.defaultName) != nil {
                return try DenseRetrieverSource.embeddingCache(name: EmbeddingCache.defaultName).open(store: store, prompts: prompts)
            }
            note("no embedding cache named \(EmbeddingCache.defaultName) (run `quarry embed`): retrieving with BM25")
            return BM25Retriever(store: store)
        case let .dense(source):
            return try source.open(store: store, prompts: prompts)
        case let .hybrid(source):
            return HybridRetriever(sparse: BM25Retriever(store: store), dense: try source.open(store: store, prompts: prompts))
        }
    }
}

/// Why a `--retriever` value names nothing to search.
public enum RetrieverChoiceError: Error, CustomStringConvertible, Equatable {
    case noSuchRetriever(name: String, knownCaches: [String])

    public var description: String {
        switch self {
        case let .noSuchRetriever(name, known):
            return "no embedding cache or trained retriever named \(name)"
                + (known.isEmpty ? " (run `quarry embed` first, or use --retriever bm25)" : "; known: \(known.joined(separator: ", ")), bm25, hybrid")
        }
    }
}
