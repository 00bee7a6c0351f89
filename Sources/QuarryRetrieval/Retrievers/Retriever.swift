import QuarryStore

/// A passage a retriever returned, with its title, text and score (higher is better; scales differ between
/// retrievers). It is the store's BM25 result type, so BM25 hits need no conversion.
public typealias RetrievedPassage = PassageHit

/// Ranks the store's passages for questions: BM25, an embedding cache, a trained retriever or a fusion of
/// BM25 with one of those. `search`, `ask`, `eval` and `train reader` all retrieve through it.
public protocol Retriever: AnyObject {
    /// What the commands print: `bm25`, the cache or trained retriever's name, `hybrid:<name>`.
    var name: String { get }
    /// The embedding cache that answers, if any (a trained retriever's name differs from its cache's;
    /// `eval --json` records it).
    var cacheName: String? { get }
    /// What the user should know before trusting the ranking (a stale cache, say).
    var warnings: [String] { get }
    /// The best `k` passages for each question, best first.
    func retrieve(_ questions: [String], k: Int) throws -> [[RetrievedPassage]]
}

extension Retriever {
    public var warnings: [String] { [] }
    public var cacheName: String? { nil }

    public func retrieve(_ question: String, k: Int) throws -> [RetrievedPassage] {
        try retrieve([question], k: k)[0]
    }
}
