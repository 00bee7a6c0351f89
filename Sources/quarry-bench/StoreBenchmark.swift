import Foundation
import GRDB
import QuarryStore

/// `quarry-bench store`: bulk insert and BM25 latency on synthetic 100-word passages, for the store's design
/// choices (full-text indexing per row or per batch; BM25 by impacts or by FTS5's own ranking). Passages
/// draw from a 30,000-word vocabulary with a Zipf-like skew, so frequent words are frequent. Each figure is
/// printed as wall and CPU rates: on a shared machine wall time overstates the cost.
struct StoreBenchmark {
    var folder: URL
    var passageCount: Int

    func run() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let texts = passages()
        for (round, indexing) in [CorpusWriter.Indexing.endOfBatch, .perRow, .endOfBatch, .perRow].enumerated() {
            let cpu = cpuSeconds()
            let rate = try load(texts, into: try freshStore("insert-\(round)"), indexing: indexing)
            print("bulk insert with FTS5 (\(indexing.rawValue)): \(Int(rate)) passages/s wall, "
                  + "\(Int(Double(texts.count) / (cpuSeconds() - cpu))) passages per CPU second")
        }
        try insertWithoutIndex(texts)
        let store = try freshStore("search")
        _ = try load(texts, into: store, indexing: .endOfBatch)
        for (impacts, prune) in [(true, true), (false, true), (false, false)] {
            store.usesImpacts = impacts
            store.pruneCommonTerms = prune
            try searchLatency(store, label: impacts ? "impacts" : prune ? "FTS5, common words left out" : "FTS5, all words")
        }
    }

    private func freshStore(_ name: String) throws -> CorpusStore {
        let url = folder.appendingPathComponent("\(name).sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        return try CorpusStore(url: url)
    }

    private func passages() -> [String] {
        var random = LinearCongruential(state: 99)
        return (0..<passageCount).map { _ in (0..<100).map { _ in random.zipfWord() }.joined(separator: " ") }
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

    /// The table alone, for comparison: the same rows with no full-text index.
    private func insertWithoutIndex(_ texts: [String]) throws {
        let bare = try freshStore("bare")
        let started = Date(), cpu = cpuSeconds()
        try bare.pool.write { db in
            try db.execute(sql: "DROP TABLE passages_fts")
            try db.execute(sql: "INSERT INTO documents (id, source, external_id, title, content_hash) VALUES (1, 'b', '1', 'D', 'h')")
            let insert = try db.makeStatement(sql: "INSERT INTO passages (document_id, ordinal, title, text) VALUES (1, 0, 'D', ?)")
            for text in texts { try insert.execute(arguments: [text]) }
        }
        print("bulk insert without FTS5: \(Int(Double(texts.count) / Date().timeIntervalSince(started))) passages/s wall, "
              + "\(Int(Double(texts.count) / (cpuSeconds() - cpu))) per CPU second")
    }

    /// 200 four-word queries, top 10.
    private func searchLatency(_ store: CorpusStore, label: String) throws {
        var random = LinearCongruential(state: 5)
        var latencies: [Double] = []
        let cpu = cpuSeconds()
        for _ in 0..<200 {
            let query = (0..<4).map { _ in random.zipfWord(resolution: 1000) }.joined(separator: " ")
            let started = Date()
            guard !(try store.bm25Search(query: query, k: 10)).isEmpty else { throw BenchmarkError("no hit for \(query)") }
            latencies.append(Date().timeIntervalSince(started) * 1000)
        }
        latencies.sort()
        print(String(format: "BM25 top-10, 4-word queries over %d passages (%@): median %.2f ms, p95 %.2f ms wall; %.2f ms CPU per query",
                     passageCount, label, latencies[latencies.count / 2], latencies[latencies.count * 95 / 100],
                     (cpuSeconds() - cpu) * 1000 / Double(latencies.count)))
    }

    /// CPU seconds this process has used.
    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// A small seeded generator of synthetic words `v<n>`, n spread as 30,000^u for uniform u (Zipf-like).
private struct LinearCongruential {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }

    mutating func zipfWord(resolution: UInt64 = 1_000_000) -> String {
        "v\(Int(pow(30_000.0, Double(next() % resolution) / Double(resolution))))"
    }
}
