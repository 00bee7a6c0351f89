import Foundation
import QuarryModels
import QuarryNN
import QuarryRetrieval
import QuarryStore
import QuarryText

/// Trained retrievers of a store: each a folder `<database>.retrievers/<name>/` holding the query and
/// passage encoders (`query/`, `passage/`), the corrector, `config.json`, `ledger.json` and `metrics.jsonl`,
/// plus an embedding cache `retriever-<name>` (the corrected cache h(g′(Y)), so searching needs no re-embedding) and a
/// row in the store's `retrievers` table.
public struct RetrieverCatalog {
    public let store: CorpusStore
    public let records: TrainedRetrieverCatalog

    public init(store: CorpusStore) throws {
        self.store = store
        records = try TrainedRetrieverCatalog(database: store.pool)
    }

    /// Folder holding every retriever of the store at `databaseURL`.
    public static func directory(forDatabase databaseURL: URL) -> URL {
        databaseURL.deletingLastPathComponent().appendingPathComponent(databaseURL.lastPathComponent + ".retrievers")
    }

    /// The embedding cache serving retriever `name`'s searches (apart from the user's own caches).
    public static func cacheName(for name: String) -> String { "retriever-" + name }

    /// The cache re-embedded by the trained passage encoder (`--final-fresh-eval`) beside `cacheName`.
    static func freshCacheName(of cacheName: String) -> String { cacheName + "-fresh" }

    /// The longest retriever name whose caches' names still fit the stored-name limit.
    public static var maxNameLength: Int { StoredName.maxLength - freshCacheName(of: cacheName(for: "")).utf8.count }

    /// Whether `name` can name a retriever: its folder and its search cache (`retriever-<name>`) both need a
    /// plain file name, so it follows the cache rule (letters, digits, `-`, `_`, `.` not first). Checked before
    /// training, so a run of hours never fails at the save.
    public static func isValidName(_ name: String) -> Bool {
        EmbeddingCache.isValidName(name) && EmbeddingCache.isValidName(freshCacheName(of: cacheName(for: name)))
    }

    /// The folder of retriever `name` (not necessarily existing).
    public func folder(for name: String) -> URL {
        Self.directory(forDatabase: store.url).appendingPathComponent(name)
    }

    /// Saves a trained run as retriever `name`: encoders, corrector, the search cache and the catalog row.
    /// The run's `config.json`, `ledger.json` and `metrics.jsonl` are already in `folder(for: name)`.
    public func save(_ trainer: RetrieverTrainer, name: String, baseModel: URL, freshMatrix: [Float]? = nil) throws {
        let folder = folder(for: name)
        try trainer.encoders.query.save(to: folder.appendingPathComponent("query"))
        try trainer.encoders.passage.save(to: folder.appendingPathComponent("passage"))
        if let corrector = trainer.corrector {
            let store = corrector.network.store
            try SafetensorsWriter.write(store.parameters.map { .init(name: $0.name, shape: $0.shape, data: store.value($0)) },
                                        metadata: ["format": "quarry-corrector"],
                                        to: folder.appendingPathComponent("corrector.safetensors"))
        }
        let matrix = trainer.searchMatrix
        let hash = matrix.withUnsafeBytes { SHA256.hex(of: $0) }
        try InitialCache.writeCache(matrix, name: Self.cacheName(for: name), dimension: trainer.dimension, store: store,
                                    modelPath: folder.appendingPathComponent("passage").path, weightsHash: "retriever:" + hash)
        if let freshMatrix {
            let passageHash = try InitialCache.weightsHash(ofModelFolder: folder.appendingPathComponent("passage"))
            try InitialCache.writeCache(freshMatrix, name: Self.freshCacheName(of: Self.cacheName(for: name)), dimension: trainer.dimension, store: store,
                                        modelPath: folder.appendingPathComponent("passage").path, weightsHash: passageHash)
        }
        try records.save(TrainedRetrieverRecord(
            name: name, strategy: trainer.configuration.negatives, folder: folder.path, cacheName: Self.cacheName(for: name),
            baseModel: baseModel.path, steps: trainer.progress.step, createdAt: Date()))
    }

    /// A trained retriever ready to search: its query encoder and an exact index over its cache (the
    /// corrected cache by default; `fresh` picks the re-embedding by the trained passage encoder when the
    /// run made one with `--final-fresh-eval`).
    public func open(name: String, fresh: Bool = false) throws -> TrainedRetriever {
        guard let record = try records.record(named: name) else {
            throw TrainingError.invalidArgument("no trained retriever named \(name) in \(store.url.path): run `quarry train retriever --name \(name)`")
        }
        let folder = URL(fileURLWithPath: record.folder)
        let queryFolder = folder.appendingPathComponent("query")
        let encoder = try BertEncoder(contentsOf: queryFolder)
        let tokenizer = try BertTokenizer(modelDirectory: queryFolder)
        let cacheCatalog = try EmbeddingCacheCatalog(database: store.pool)
        let cache = try EmbeddingCache(name: fresh ? Self.freshCacheName(of: record.cacheName) : record.cacheName,
                                       databaseURL: store.url, catalog: cacheCatalog)
        let index = try cache.flatIndex()
        guard index.count == (try store.passageCount()) else {
            throw TrainingError.invalidArgument("retriever \(name): its cache has \(index.count) rows but the store \(try store.passageCount()) passages; retrain or re-embed")
        }
        var ids: [Int64] = []
        var last: Int64 = 0
        while true {
            let page = try store.passages(after: last, limit: 8192)
            guard let end = page.last else { break }
            ids.append(contentsOf: page.map(\.id))
            last = end.id
        }
        return TrainedRetriever(record: record, queryEncoder: encoder, tokenizer: tokenizer, index: index, passageIDs: ids)
    }
}

/// A trained retriever's search side: question → query encoder → exact inner-product search of its cache.
public final class TrainedRetriever {
    public let record: TrainedRetrieverRecord
    public let queryEncoder: BertEncoder
    public let tokenizer: BertTokenizer
    public let index: FlatInnerProductIndex
    /// Passage id of each cache row.
    public let passageIDs: [Int64]
    public var prompts = Prompts()

    public init(record: TrainedRetrieverRecord, queryEncoder: BertEncoder, tokenizer: BertTokenizer,
                index: FlatInnerProductIndex, passageIDs: [Int64]) {
        self.record = record
        self.queryEncoder = queryEncoder
        self.tokenizer = tokenizer
        self.index = index
        self.passageIDs = passageIDs
    }

    /// The `k` best passages for `question`: (passage id, inner product), best first.
    public func search(_ question: String, k: Int, maxQueryTokens: Int = 64) throws -> [(passageID: Int64, score: Float)] {
        let tokens = tokenizer.encode(prompts.query.render(["question": question]).text, maxLength: maxQueryTokens)
        let query = try queryEncoder.embed([tokens])
        return try index.search(query, k: k)[0].map { (passageIDs[$0.id], $0.score) }
    }
}
