import Foundation
import QuarryModels
import QuarryNN
import QuarryRetrieval
import QuarryStore
import QuarryText

/// Trained retrievers of a store: each a folder `<database>.retrievers/<name>/` holding the query and
/// passage encoders (`query/`, `passage/`), the corrector, `config.json`, `ledger.json` and `metrics.jsonl`;
/// a row in the store's `retrievers` table; the served cache `retriever-<name>` (the corpus embedded by the
/// trained passage encoder, as `quarry embed --model <folder>/passage` would make it) and, for strategies
/// with a corrector, `retriever-<name>-corrected` (h(g′(Y)), what negative sampling saw).
public struct RetrieverLibrary {
    public let store: CorpusStore
    public let records: TrainedRetrieverCatalog

    public init(store: CorpusStore) throws {
        self.store = store
        records = try TrainedRetrieverCatalog(database: store.pool)
    }

    /// The embedding cache serving retriever `name`'s searches (apart from the user's own caches).
    public static func cacheName(for name: String) -> String { "retriever-" + name }

    /// The corrected cache beside the served one (`TrainedRetrieverRecord.correctedCacheName`).
    static func correctedCacheName(for name: String) -> String { cacheName(for: name) + "-corrected" }

    /// The longest retriever name whose caches' names still fit the stored-name limit.
    public static var maxNameLength: Int { StoredName.maxLength - correctedCacheName(for: "").utf8.count }

    /// Whether `name` can name a retriever: its folder and its search cache (`retriever-<name>`) both need a
    /// plain file name, so it follows the cache rule (letters, digits, `-`, `_`, `.` not first). Checked before
    /// training, so a run of hours never fails at the save.
    public static func isValidName(_ name: String) -> Bool {
        EmbeddingCache.isValidName(name) && EmbeddingCache.isValidName(correctedCacheName(for: name))
    }

    /// The folder of retriever `name` (not necessarily existing).
    public func folder(for name: String) -> URL {
        StoreFolder.retrievers.url(forDatabase: store.url).appendingPathComponent(name)
    }

    /// Saves a trained run as retriever `name`: encoders, corrector, the corrected cache and the catalog row.
    /// The run's `config.json`, `ledger.json` and `metrics.jsonl` are already in `folder(for: name)`; the served
    /// cache is made next, by `embedServedCache`.
    public func save(_ trainer: RetrieverTrainer, name: String, baseModel: URL) throws {
        let folder = folder(for: name)
        try trainer.encoders.query.save(to: folder.appendingPathComponent("query"))
        try trainer.encoders.passage.save(to: folder.appendingPathComponent("passage"))
        if let corrector = trainer.corrector, let corrected = trainer.correctedCache {
            let parameters = corrector.network.store
            try SafetensorsWriter.write(parameters.parameters.map { .init(name: $0.name, shape: $0.shape, data: parameters.value($0)) },
                                        metadata: ["format": "quarry-corrector"],
                                        to: folder.appendingPathComponent("corrector.safetensors"))
            let hash = corrected.withUnsafeBytes { SHA256.hex(of: $0) }
            let cache = try EmbeddingCache(name: Self.correctedCacheName(for: name), databaseURL: store.url,
                                           catalog: try EmbeddingCacheCatalog(database: store.pool))
            // The run's writer lock kept the store as it was loaded, so its passages are the corpus rows.
            let passages = try CachedPassageList.entries(of: store)
            guard passages.map(\.passageID) == trainer.corpus.passageIDs else {
                throw TrainingError.invalidArgument("the store's passages changed during training: the corrected cache cannot be saved")
            }
            try cache.replace(with: corrected, dimension: trainer.dimension, passages: passages,
                              modelPath: folder.appendingPathComponent("passage").path,
                              weightsHash: TrainedRetrieverRecord.runMatrixHashPrefix + hash)
        }
        try records.save(TrainedRetrieverRecord(
            name: name, strategy: trainer.configuration.negatives, folder: folder.path, cacheName: Self.cacheName(for: name),
            baseModel: baseModel.path, steps: trainer.progress.step, createdAt: Date()))
    }

    /// Embeds every passage with retriever `name`'s trained passage encoder into its served cache: the one pass
    /// that turns a trained retriever into what `--retriever NAME` searches. It is `quarry embed` with that model
    /// (same template, token limit and row order), so it resumes after a kill and adds passages ingested since.
    @discardableResult
    public func embedServedCache(name: String, batchSize: Int = 32,
                                 progress: ((EmbeddingProgress) -> Void)? = nil) throws -> EmbeddingSummary {
        guard let record = try records.record(named: name) else { throw ServingError.noSuchRetriever(name: name) }
        let prompts = try Prompts.load()
        let job = try PassageEmbeddingJob(store: store, cacheName: record.cacheName,
                                          encoder: try SentenceEncoder(modelFolder: record.passageEncoderFolder), prompts: prompts)
        job.batchSize = batchSize
        job.windowSize = max(256, batchSize * 8)
        return try job.run(progress: progress)
    }
}
