/// BM25 and a dense retriever fused by reciprocal rank over each one's top `depth` passages; the score is
/// the fused one.
public final class HybridRetriever: Retriever {
    public let sparse: any Retriever
    public let dense: any Retriever
    /// How deep each ranking is read before fusing (at least k).
    public var depth: Int
    public var name: String { "hybrid:\(dense.name)" }
    public var warnings: [String] { dense.warnings }
    public var cacheName: String? { dense.cacheName }

    public init(sparse: any Retriever, dense: any Retriever, depth: Int = 100) {
        self.sparse = sparse
        self.dense = dense
        self.depth = depth
    }

    public func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]] {
        let deep = max(depth, k)
        let lexical = try sparse.retrieve(questions, k: deep), semantic = try dense.retrieve(questions, k: deep)
        return zip(lexical, semantic).map { first, second in
            var byID: [Int64: RetrievedPassage] = [:]
            for passage in first + second where byID[passage.passageID] == nil { byID[passage.passageID] = passage }
            let fused = RankFusion.reciprocalRank([first.map { Int($0.passageID) }, second.map { Int($0.passageID) }], limit: k)
            return fused.compactMap { item in
                byID[Int64(item.id)].map { RetrievedPassage(passageID: $0.passageID, title: $0.title, text: $0.text, score: item.score) }
            }
        }
    }
}
