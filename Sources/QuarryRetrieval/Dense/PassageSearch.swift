import QuarryStore

/// Ranked passages with their text, whichever retriever ranked them: what `search`, `ask` and `eval` show.
public enum PassageSearch {
    /// The `k` best passages for `question` by the dense retriever. Rows whose passage has left the store
    /// (a stale cache) are skipped.
    public static func dense(_ question: String, retriever: any DenseRetriever, store: CorpusStore, k: Int) throws -> [PassageHit] {
        let found = try retriever.search([question], k: k).first ?? []
        return try hits(found.map { ($0.passageID, $0.score) }, store: store)
    }

    /// BM25 and dense rankings, `depth` deep each, fused by reciprocal rank; the score is the fused one.
    public static func hybrid(_ question: String, retriever: any DenseRetriever, store: CorpusStore, k: Int,
                              depth: Int = 100) throws -> [PassageHit] {
        let deep = max(k, depth)
        let lexical = try store.bm25Search(query: question, k: deep).map { Int($0.passageID) }
        let dense = (try retriever.search([question], k: deep).first ?? []).map { Int($0.passageID) }
        let fused = RankFusion.reciprocalRank([lexical, dense], limit: k)
        return try hits(fused.map { (Int64($0.id), $0.score) }, store: store)
    }

    private static func hits(_ ranked: [(Int64, Double)], store: CorpusStore) throws -> [PassageHit] {
        try ranked.compactMap { id, score in
            try store.passage(id: id).map { PassageHit(passageID: id, title: $0.title, text: $0.text, score: score) }
        }
    }
}
