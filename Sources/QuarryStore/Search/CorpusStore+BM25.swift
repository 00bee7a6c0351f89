import GRDB

/// A passage found by a search, with its score (higher is better).
public struct PassageHit: Equatable, Sendable {
    public var passageID: Int64
    public var title: String
    public var text: String
    public var score: Double

    public init(passageID: Int64, title: String, text: String, score: Double) {
        self.passageID = passageID
        self.title = title
        self.text = text
        self.score = score
    }
}

extension CorpusStore {
    /// The `k` passages with the best BM25 score for any word of `query` (FTS5's bm25 over title and text,
    /// negated so that higher is better). Query text is never interpreted as FTS5 syntax: see `FTSQuery`.
    /// Empty or punctuation-only queries find nothing.
    public func bm25Search(query: String, k: Int) throws -> [PassageHit] {
        guard k > 0, let match = FTSQuery.anyTerm(query) else { return [] }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.title, p.text, -f.rank
                FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?) AS f
                JOIN passages p ON p.id = f.rowid
                ORDER BY f.rank, p.id
                """, arguments: [match, k]).map {
                PassageHit(passageID: $0[0], title: $0[1], text: $0[2], score: $0[3])
            }
        }
    }
}
