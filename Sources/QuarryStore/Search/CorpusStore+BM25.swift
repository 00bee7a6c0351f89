import GRDB

/// A passage found by a search, with its score (higher is better): QuarryRetrieval's `RetrievedPassage`.
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
    /// negated so that higher is better), best first, equal scores by passage id. Query text is never
    /// interpreted as FTS5 syntax: see `FTSQuery`. Empty or punctuation-only queries find nothing.
    ///
    /// The scores come from `BM25Impacts`, which reproduces bm25() from the index's postings many times
    /// faster than FTS5 ranks the rows itself. Queries it cannot take (a word FTS5 would split into several
    /// tokens, index records it cannot read) go to FTS5, as do all of them when `usesImpacts` is off.
    public func bm25Search(query: String, k: Int) throws -> [PassageHit] {
        let terms = FTSQuery.terms(in: query)
        guard k > 0, !terms.isEmpty else { return [] }
        return try pool.read { db in
            if usesImpacts, let tokens = try indexTokens(of: terms, db),
               let ranked = try bm25Impacts.best(tokens, k: k, db) {
                return try passages(ranked, db)
            }
            return try ftsSearch(terms, k: k, db)
        }
    }

    /// Each word as the single term FTS5 stores for it, or nil when the tokenizer splits one (FTS5 would
    /// then search it as a phrase of several terms). An ASCII word is one unicode61 token, its letters
    /// lowercased; other words ask the index's own tokenizer.
    private func indexTokens(of words: [String], _ db: Database) throws -> [String]? {
        var tokenizer: (any FTS5Tokenizer)?
        var tokens: [String] = []
        for word in words {
            if word.utf8.allSatisfy({ $0 < 0x80 }) {
                tokens.append(word.lowercased())
                continue
            }
            if tokenizer == nil {
                tokenizer = try db.makeTokenizer(FTS5TokenizerDescriptor(components: StoreMigrations.passageTokenizer))
            }
            guard let pieces = try tokenizer?.tokenize(query: word), pieces.count == 1 else { return nil }
            tokens.append(pieces[0].token)
        }
        return tokens
    }

    private func passages(_ ranked: [(rowID: Int64, score: Double)], _ db: Database) throws -> [PassageHit] {
        let statement = try db.cachedStatement(sql: "SELECT title, text FROM passages WHERE id = ?")
        return try ranked.compactMap { rowID, score in
            try Row.fetchOne(statement, arguments: [rowID]).map {
                PassageHit(passageID: rowID, title: $0[0], text: $0[1], score: score)
            }
        }
    }

    /// FTS5 ranking every matching row. Words found in at least half the passages are first left out of
    /// the match when the query has other words: BM25 gives them no weight (FTS5 floors their negative IDF
    /// at 1e-6), yet matching them makes FTS5 score nearly every passage. When that finds fewer than `k`
    /// passages, the full query runs instead, so the result is the plain BM25 top `k` either way (up to
    /// ties broken by such near-zero weights).
    private func ftsSearch(_ terms: [String], k: Int, _ db: Database) throws -> [PassageHit] {
        let weighted = try weightedTerms(terms, db)
        if weighted.count < terms.count {
            let hits = try search(FTSQuery.anyTerm(of: weighted)!, k: k, db)
            if hits.count == k { return hits }
        }
        return try search(FTSQuery.anyTerm(of: terms)!, k: k, db)
    }

    private func search(_ match: String, k: Int, _ db: Database) throws -> [PassageHit] {
        try Row.fetchAll(db, sql: """
            SELECT p.id, p.title, p.text, -f.rank
            FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?) AS f
            JOIN passages p ON p.id = f.rowid
            ORDER BY f.rank, p.id
            """, arguments: [match, k]).map {
            PassageHit(passageID: $0[0], title: $0[1], text: $0[2], score: $0[3])
        }
    }

    /// `terms` without those in at least half the passages (all of them when that would leave none).
    private func weightedTerms(_ terms: [String], _ db: Database) throws -> [String] {
        guard terms.count > 1, pruneCommonTerms else { return terms }
        let passages = try Int.fetchOne(db, sql: "SELECT count(*) FROM passages") ?? 0
        let statement = try db.cachedStatement(sql: "SELECT doc FROM passages_fts_terms WHERE term = ?")
        let weighted = try terms.filter { term in
            let frequency = try Int.fetchOne(statement, arguments: [FTSQuery.indexForm(of: term)]) ?? 0
            return 2 * frequency < passages
        }
        return weighted.isEmpty ? terms : weighted
    }
}
