import Foundation
import QuarryModels
import QuarryRetrieval
import QuarryStore
import QuarryText

/// The stale cache g′(Y) a run starts from. The user's cache (`dense` from `quarry embed`, or the one
/// named) is reused as is when the same weights made it over every passage (no passage is encoded: that
/// is the point of the method). Otherwise the corpus is embedded once by `PassageEmbeddingJob` (the job
/// `quarry embed` runs, so the cache gets a manifest and a killed run resumes it) into
/// `<name>-<hash>-t<tokens>`, counted as `initial cache` in the ledger, and the next run reuses it.
public enum InitialCache {
    /// Name under which a computed initial cache is saved when `preferred` is taken by other weights.
    public static func fallbackName(preferred: String, weightsHash: String, maxTokens: Int) -> String {
        "\(preferred)-\(weightsHash.prefix(12))-t\(maxTokens)"
    }

    /// g′ for every corpus row, how it was obtained, and the ledger counting any encoding done.
    public static func obtain(
        store: CorpusStore, corpus: TrainingCorpus, modelFolder: URL, preferredName: String, maxTokens: Int,
        log: @escaping (String) -> Void
    ) throws -> (matrix: [Float], ledger: ReembeddingLedger, source: String) {
        let hash = try WeightsFingerprint.of(modelFolder: modelFolder).sha256
        let catalog = try EmbeddingCacheCatalog(database: store.pool)
        let fallback = fallbackName(preferred: preferredName, weightsHash: hash, maxTokens: maxTokens)
        for name in [preferredName, fallback] {
            if let matrix = try completeMatrix(name: name, weightsHash: hash, rows: corpus.count, store: store, catalog: catalog) {
                log("initial cache: reusing embedding cache \(name) (\(corpus.count) passages, same weights)")
                return (matrix, ReembeddingLedger(), "reused cache \(name)")
            }
        }
        log("initial cache: embedding \(corpus.count) passages with the starting passage encoder")
        // Saved under a name that records the truncation, so a run with other limits never mistakes it for its own.
        let job = try PassageEmbeddingJob(store: store, cacheName: fallback, encoder: try SentenceEncoder(modelFolder: modelFolder),
                                          prompts: try Prompts.load(), maxTokens: maxTokens)
        let summary = try job.run { progress in
            if progress.rowsThisRun > 0 && (progress.rowsDone % 2048 == 0 || progress.rowsDone == progress.rowsTotal) {
                log("  \(progress.rowsDone)/\(progress.rowsTotal) passages embedded")
            }
        }
        var ledger = ReembeddingLedger()
        ledger.record(.initialCache, passes: summary.added, seconds: summary.seconds)
        guard let matrix = try completeMatrix(name: fallback, weightsHash: hash, rows: corpus.count, store: store, catalog: catalog) else {
            throw TrainingError.invalidArgument("initial cache \(fallback) holds \(summary.rows) rows, the corpus \(corpus.count): "
                                                + "the store changed while it was embedded; run again")
        }
        return (matrix, ledger, "computed, saved as cache \(fallback)")
    }

    /// The rows of cache `name` when it was made by these weights over all `rows` passages, else nil.
    private static func completeMatrix(name: String, weightsHash: String, rows: Int, store: CorpusStore,
                                       catalog: EmbeddingCacheCatalog) throws -> [Float]? {
        let cache = try EmbeddingCache(name: name, databaseURL: store.url, catalog: catalog)
        guard let record = try cache.record(), record.weightsHash == weightsHash, record.rowsCompleted == rows else { return nil }
        let mapped = try cache.mapMatrix()
        guard let base = mapped.base else { return nil }
        return Array(UnsafeBufferPointer(start: base, count: rows * record.dimension))
    }
}
