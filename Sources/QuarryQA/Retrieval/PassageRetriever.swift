import Foundation
import QuarryModels
import QuarryRetrieval
import QuarryStore
import QuarryText

/// A passage a retriever returned, with its score (higher is better; scales differ between retrievers).
public struct RetrievedPassage: Sendable, Equatable {
    public var passageID: Int64
    public var title: String
    public var text: String
    public var score: Double

    public init(passageID: Int64, title: String, text: String, score: Double) {
        self.passageID = passageID; self.title = title; self.text = text; self.score = score
    }

    public var readerPassage: ReaderPassage { ReaderPassage(passageID: passageID, title: title, text: text) }
}

/// Ranks the store's passages for a question.
public protocol PassageRetriever: AnyObject {
    /// What `ask` and `eval` print: `bm25`, the cache name, `hybrid:<name>`.
    var name: String { get }
    /// The best `k` passages for each question, best first.
    func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]]
}

extension PassageRetriever {
    public func retrieve(_ question: String, k: Int) throws -> [RetrievedPassage] {
        try retrieve([question], k: k)[0]
    }
}

/// BM25 over the store's full-text index.
public final class BM25Retriever: PassageRetriever {
    public let store: CorpusStore
    public var name: String { "bm25" }

    public init(store: CorpusStore) { self.store = store }

    public func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        try questions.map { question in
            try store.bm25Search(query: question, k: k).map {
                RetrievedPassage(passageID: $0.passageID, title: $0.title, text: $0.text, score: $0.score)
            }
        }
    }
}

/// Exact inner-product search over an embedding cache, queries encoded by the encoder the cache was made
/// with (its record names the model folder) through the `query.txt` template.
public final class DenseRetriever: PassageRetriever {
    public let store: CorpusStore
    public let cache: EmbeddingCache
    public let encoder: BertEncoder
    public let tokenizer: BertTokenizer
    public let prompts: Prompts
    private let index: FlatInnerProductIndex
    /// Row i of the cache is passage `rowIDs[i]`.
    private let rowIDs: [Int64]
    public var name: String { cache.name }

    /// Opens cache `cacheName` of `store`; `encoderFolder` overrides the model folder the cache records.
    public init(store: CorpusStore, cacheName: String, prompts: Prompts, encoderFolder: URL? = nil) throws {
        let catalog = try EmbeddingCacheCatalog(database: store.pool)
        let cache = try EmbeddingCache(name: cacheName, databaseURL: store.url, catalog: catalog)
        guard let record = try cache.record() else { throw EmbeddingCacheError.missing(name: cacheName) }
        let folder = encoderFolder ?? URL(fileURLWithPath: record.modelPath)
        self.store = store
        self.cache = cache
        self.prompts = prompts
        encoder = try BertEncoder(contentsOf: folder)
        tokenizer = try BertTokenizer(modelDirectory: folder)
        guard encoder.dimension == record.dimension else {
            throw ReaderError.badConfiguration("cache \(cacheName) holds \(record.dimension)-dimensional rows, the encoder at \(folder.path) makes \(encoder.dimension)")
        }
        index = try cache.flatIndex()
        rowIDs = try store.passageIDs(limit: index.count)
    }

    /// Query embeddings, one row per question.
    public func embed(_ questions: [String]) throws -> [Float] {
        try encoder.embed(questions.map { tokenizer.encode(prompts.renderQuery($0), maxLength: encoder.maxSequenceLength) })
    }

    public func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        guard !questions.isEmpty else { return [] }
        let neighbours = try index.search(try embed(questions), k: min(k, index.count))
        return try neighbours.map { list in
            let ids = list.map { rowIDs[$0.id] }
            let passages = Dictionary(uniqueKeysWithValues: try store.passages(ids: ids).map { ($0.id, $0) })
            return list.compactMap { n in
                passages[rowIDs[n.id]].map { RetrievedPassage(passageID: $0.id, title: $0.title, text: $0.text, score: Double(n.score)) }
            }
        }
    }
}

/// BM25 and a dense retriever fused by reciprocal rank fusion over each one's top `depth` passages.
public final class HybridRetriever: PassageRetriever {
    public let sparse: PassageRetriever
    public let dense: PassageRetriever
    /// How deep each ranking is read before fusing (at least k).
    public var depth: Int
    public var name: String { "hybrid:\(dense.name)" }

    public init(sparse: PassageRetriever, dense: PassageRetriever, depth: Int = 100) {
        self.sparse = sparse
        self.dense = dense
        self.depth = depth
    }

    public func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        let d = max(depth, k)
        let a = try sparse.retrieve(questions, k: d), b = try dense.retrieve(questions, k: d)
        return zip(a, b).map { first, second in
            var byID: [Int64: RetrievedPassage] = [:]
            for p in first + second where byID[p.passageID] == nil { byID[p.passageID] = p }
            let fused = RankFusion.reciprocalRank([first.map { Int($0.passageID) }, second.map { Int($0.passageID) }], limit: k)
            return fused.compactMap { item in
                byID[Int64(item.id)].map { RetrievedPassage(passageID: $0.passageID, title: $0.title, text: $0.text, score: item.score) }
            }
        }
    }
}
