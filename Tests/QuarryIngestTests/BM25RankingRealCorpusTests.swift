import Foundation
import GRDB
@testable import QuarryIngest
@testable import QuarryStore
import QuarryTestSupport
import XCTest

/// `bm25Search` ranks with `BM25Impacts`; on real text its top k must be FTS5's own bm25() top k: the same
/// passages in the same order (equal scores by passage id) with the same scores.
final class BM25RankingRealCorpusTests: IngestTestCase {
    /// Cranfield (1,398 abstracts) and the enwiki sample (106 articles), queried with the 225 Cranfield
    /// topics and with single words and pairs picked by how many passages hold them: in one passage, a few,
    /// hundreds, and in half or more (IDF floored at 1e-6), where many passages tie.
    func testTopKEqualsFTS5BM25OnCranfieldAndEnwiki() throws {
        let cranfield = try TestResources.sharedData("trec-xml/cran.all.1400.xml")
        let topics = try TestResources.sharedData("trec-xml/cran.qry.xml")
        let enwiki = try TestResources.sharedData(
            "mediawiki-xml/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        _ = try pipeline.ingest(TRECReader(url: cranfield), source: "cranfield", file: cranfield.path)
        _ = try pipeline.ingest(MediaWikiDumpReader(url: enwiki), source: "enwiki", file: enwiki.path)
        let passages = try store.passageCount()
        XCTAssertGreaterThan(passages, 2_000)

        let queries = try cranfieldTopics(topics) + vocabularyQueries(store, passages: passages)
        XCTAssertGreaterThan(queries.count, 300)
        var compared = 0, bitIdentical = 0, ties = 0
        for (index, query) in queries.enumerated() {
            let k = index % 3 == 0 ? 100 : 20
            let expected = try fts5Ranking(query, k: k, store)
            let found = try store.bm25Search(query: query, k: k)
            XCTAssertEqual(found.map(\.passageID), expected.map(\.id), "query \(query)")
            for (hit, reference) in zip(found, expected) {
                XCTAssertEqual(hit.score, reference.score, accuracy: 1e-12 * max(1, abs(reference.score)), "query \(query)")
                compared += 1
                if hit.score == reference.score { bitIdentical += 1 }
            }
            ties += zip(expected, expected.dropFirst()).filter { $0.score == $1.score }.count
        }
        XCTAssertGreaterThan(ties, 100, "the queries include tied scores, ordered by passage id")
        print("BM25 impacts vs FTS5 bm25(): \(queries.count) queries, \(compared) ranks compared, "
              + "\(bitIdentical) scores bit-identical, \(ties) ties")
    }

    /// FTS5 ranking every matching row itself: the whole query (no word left out), ties by rowid.
    private func fts5Ranking(_ query: String, k: Int, _ store: CorpusStore) throws -> [(id: Int64, score: Double)] {
        guard let match = FTSQuery.anyTerm(query) else { return [] }
        return try store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT rowid, -bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ?
                ORDER BY bm25(passages_fts), rowid LIMIT ?
                """, arguments: [match, k]).map { ($0[0], $0[1]) }
        }
    }

    private func cranfieldTopics(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let topics = text.components(separatedBy: "<title>").dropFirst().compactMap {
            $0.components(separatedBy: "</title>").first?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(topics.count, 225)
        return topics
    }

    /// Words by document frequency band, alone and paired rare-with-common.
    private func vocabularyQueries(_ store: CorpusStore, passages: Int) throws -> [String] {
        let bands: [(ClosedRange<Int>, Int)] = [(1...1, 15), (2...4, 15), (20...60, 15), (200...800, 10),
                                                ((passages / 2)...passages, 8)]
        var queries: [String] = []
        for (band, count) in bands {
            let words = try store.pool.read { db in
                try String.fetchAll(db, sql: """
                    SELECT term FROM passages_fts_terms WHERE doc BETWEEN ? AND ? ORDER BY doc DESC, term LIMIT ?
                    """, arguments: [band.lowerBound, band.upperBound, count])
            }
            XCTAssertFalse(words.isEmpty, "no word in \(band) passages")
            queries += words
            queries += zip(words, words.reversed()).map { "\($0) \($1)" }
        }
        let common = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT term FROM passages_fts_terms ORDER BY doc DESC LIMIT 4")
        }
        queries += ["\(common[0]) \(common[1]) \(common[2]) \(common[3])", "\(common[0]) boundary layer \(common[1])",
                    "Supersonic FLOW", "naïve café", "flow flow FLOW"]
        return queries
    }
}
