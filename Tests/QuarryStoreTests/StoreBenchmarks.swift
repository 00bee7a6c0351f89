import Foundation
import GRDB
@testable import QuarryStore
import XCTest

/// Bulk insert and BM25 figures on ~50k synthetic 100-word passages. Kept apart from the tests: runs only
/// with QUARRY_BENCH=1, in release (`swift test -c release … --filter StoreBenchmarks`).
final class StoreBenchmarks: StoreTestCase {
    private let passageCount = 50_000

    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["QUARRY_BENCH"] == "1" else {
            throw XCTSkip("benchmark: set QUARRY_BENCH=1 to run")
        }
    }

    /// Synthetic passages over a 30,000-word vocabulary with a Zipf-like skew (frequent words are frequent).
    private func passages() -> [String] {
        var state: UInt64 = 99
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        return (0..<passageCount).map { _ in
            (0..<100).map { _ in
                let uniform = Double(next() % 1_000_000) / 1_000_000
                return "v\(Int(pow(30_000.0, uniform)))"
            }.joined(separator: " ")
        }
    }

    private func load(_ texts: [String], into store: CorpusStore, indexing: CorpusWriter.Indexing) throws -> Double {
        CorpusWriter.indexing = indexing
        defer { CorpusWriter.indexing = .endOfBatch }
        let started = Date()
        for batch in stride(from: 0, to: texts.count, by: 15_000) {
            try store.writeBatch { writer in
                for start in stride(from: batch, to: min(batch + 15_000, texts.count), by: 3) {
                    try writer.addDocument(source: "bench", externalID: "\(start)", title: "Document \(start)",
                                           contentHash: "h", passages: Array(texts[start..<min(start + 3, texts.count)]))
                }
            }
        }
        return Double(texts.count) / Date().timeIntervalSince(started)
    }

    /// CPU seconds this process has used (the machine is shared: wall time overstates the cost).
    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    func testBulkInsertAndBM25Latency() throws {
        let texts = passages()
        for indexing in [CorpusWriter.Indexing.endOfBatch, .perRow, .endOfBatch, .perRow] {
            let cpu = cpuSeconds()
            let rate = try load(texts, into: try makeStore(), indexing: indexing)
            print("bulk insert with FTS5 (\(indexing)): \(Int(rate)) passages/s wall, "
                  + "\(Int(Double(texts.count) / (cpuSeconds() - cpu))) passages per CPU second")
        }
        // The table alone, for comparison: the same rows with no full-text index.
        let bare = try makeStore()
        let started = Date(), cpu = cpuSeconds()
        try bare.pool.write { db in
            try db.execute(sql: "DROP TABLE passages_fts")
            try db.execute(sql: "INSERT INTO documents (id, source, external_id, title, content_hash) VALUES (1, 'b', '1', 'D', 'h')")
            let insert = try db.makeStatement(sql: "INSERT INTO passages (document_id, ordinal, title, text) VALUES (1, 0, 'D', ?)")
            for text in texts { try insert.execute(arguments: [text]) }
        }
        print("bulk insert without FTS5: \(Int(Double(texts.count) / Date().timeIntervalSince(started))) passages/s wall, "
              + "\(Int(Double(texts.count) / (cpuSeconds() - cpu))) per CPU second")

        let store = try makeStore()
        _ = try load(texts, into: store, indexing: .endOfBatch)
        // Impacts (the default), then FTS5 ranking the rows itself with and without common words.
        for (impacts, prune) in [(true, true), (false, true), (false, false)] {
            store.usesImpacts = impacts
            store.pruneCommonTerms = prune
            var state: UInt64 = 5
            var latencies: [Double] = []
            let cpu = cpuSeconds()
            for _ in 0..<200 {
                let query = (0..<4).map { _ -> String in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return "v\(Int(pow(30_000.0, Double((state >> 33) % 1000) / 1000)))"
                }.joined(separator: " ")
                let started = Date()
                XCTAssertFalse(try store.bm25Search(query: query, k: 10).isEmpty)
                latencies.append(Date().timeIntervalSince(started) * 1000)
            }
            latencies.sort()
            print(String(format: "BM25 top-10, 4-word queries over %d passages (%@): median %.2f ms, "
                         + "p95 %.2f ms wall; %.2f ms CPU per query", passageCount,
                         impacts ? "impacts" : prune ? "FTS5, common words left out" : "FTS5, all words",
                         latencies[latencies.count / 2], latencies[latencies.count * 95 / 100],
                         (cpuSeconds() - cpu) * 1000 / Double(latencies.count)))
        }
    }
}
