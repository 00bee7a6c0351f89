import Foundation
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
    /// What the user should know before trusting the ranking (a stale cache, say).
    var warnings: [String] { get }
    /// The embedding cache that answers, if any (`eval --json` records it).
    var cacheName: String? { get }
}

extension PassageRetriever {
    public var warnings: [String] { [] }
    public var cacheName: String? { nil }

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

/// Dense retrieval for `ask` and `eval`: QuarryRetrieval's search over an embedding cache or a trained
/// retriever's corrected cache, with each hit's title and text read from the store.
public final class DensePassageRetriever: PassageRetriever {
    public let store: CorpusStore
    public let dense: any DenseRetriever
    public var name: String { dense.name }
    public var warnings: [String] { dense.warnings }
    public var cacheName: String? { dense.cacheName }

    public init(store: CorpusStore, source: DenseRetrieverSource, prompts: Prompts) throws {
        self.store = store
        dense = try source.open(store: store, prompts: prompts)
    }

    public func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        try dense.search(questions, k: k).map { hits in
            let passages = Dictionary(uniqueKeysWithValues: try store.passages(ids: hits.map(\.passageID)).map { ($0.id, $0) })
            // A row whose passage has left the store (a stale cache) is skipped.
            return hits.compactMap { hit in
                passages[hit.passageID].map { RetrievedPassage(passageID: $0.id, title: $0.title, text: $0.text, score: hit.score) }
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
    public var warnings: [String] { dense.warnings }
    public var cacheName: String? { dense.cacheName }

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
