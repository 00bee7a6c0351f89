import QuarryStore

/// BM25 over the store's full-text index.
public final class BM25Retriever: Retriever {
    public let store: CorpusStore
    public var name: String { "bm25" }

    public init(store: CorpusStore) { self.store = store }

    public func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        try questions.map { try store.bm25Search(query: $0, k: k) }
    }
}
