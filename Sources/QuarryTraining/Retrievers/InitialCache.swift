import Foundation
import QuarryModels
import QuarryRetrieval
import QuarryStore

/// The stale cache g′(Y) a run starts from. The user's cache (`dense` from `quarry embed`, or the one
/// named) is reused as is when the same weights made it over every passage (no passage is encoded: that
/// is the point of the method); so is a cache an earlier run computed with the same weights and passage
/// length (`<name>-<hash>-t<tokens>`). Otherwise the corpus is embedded once, counted as `initial cache`
/// in the ledger, and saved under that second name for the next run.
public enum InitialCache {
    /// Name under which a computed initial cache is saved when `preferred` is taken by other weights.
    public static func fallbackName(preferred: String, weightsHash: String, maxTokens: Int) -> String {
        "\(preferred)-\(weightsHash.prefix(12))-t\(maxTokens)"
    }

    /// g′ for every corpus row, how it was obtained, and the ledger counting any encoding done.
    public static func obtain(
        store: CorpusStore, corpus: TrainingCorpus, encoder: BertEncoder, modelFolder: URL, preferredName: String,
        maxTokens: Int, log: (String) -> Void
    ) throws -> (matrix: [Float], ledger: ReembeddingLedger, source: String) {
        let hash = try WeightsFingerprint.of(modelFolder: modelFolder).sha256
        let catalog = try EmbeddingCacheCatalog(database: store.pool)
        let d = encoder.dimension
        let names = [preferredName, fallbackName(preferred: preferredName, weightsHash: hash, maxTokens: maxTokens)]
        for name in names {
            let cache = try EmbeddingCache(name: name, databaseURL: store.url, catalog: catalog)
            guard let record = try cache.record(), record.weightsHash == hash, record.dimension == d,
                  record.rowsCompleted == corpus.count else { continue }
            let mapped = try cache.mapMatrix()
            guard let base = mapped.base else { continue }
            log("initial cache: reusing embedding cache \(name) (\(corpus.count) passages, same weights)")
            return (Array(UnsafeBufferPointer(start: base, count: corpus.count * d)), ReembeddingLedger(), "reused cache \(name)")
        }
        log("initial cache: embedding \(corpus.count) passages with the starting passage encoder")
        var ledger = ReembeddingLedger()
        var matrix: [Float] = []
        matrix.reserveCapacity(corpus.count * d)
        var start = 0
        while start < corpus.count {
            let end = min(start + 256, corpus.count)
            let part = try ledger.measure(.initialCache, passes: end - start) {
                try encoder.embed(Array(corpus.tokens[start..<end]))
            }
            matrix.append(contentsOf: part)
            start = end
            if start % 2048 == 0 || start == corpus.count { log("  \(start)/\(corpus.count) passages embedded") }
        }
        // Saved under a name that records the truncation, so a run with other limits never mistakes it for its own.
        let target = names[1]
        try writeCache(matrix, name: target, dimension: d, store: store, modelPath: modelFolder.path, weightsHash: hash)
        return (matrix, ledger, "computed, saved as cache \(target)")
    }

    /// Writes a [rows, d] matrix as the store's embedding cache `name`.
    public static func writeCache(_ matrix: [Float], name: String, dimension: Int, store: CorpusStore, modelPath: String,
                                  weightsHash: String) throws {
        let catalog = try EmbeddingCacheCatalog(database: store.pool)
        let cache = try EmbeddingCache(name: name, databaseURL: store.url, catalog: catalog)
        try cache.remove()
        let writer = try cache.openWriter(dimension: dimension, modelPath: modelPath, weightsHash: weightsHash)
        defer { writer.close() }
        let rowsPerWrite = 8192
        try matrix.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let n = min(rowsPerWrite * dimension, all.count - start)
                try writer.append(UnsafeBufferPointer(rebasing: all[start..<(start + n)]))
                start += n
            }
        }
    }
}
