import Foundation
import QuarryStore
import QuarryText

/// Opens a trained retriever's caches for search. Its query encoder is paired with the corpus embedded by
/// its own trained passage encoder (the served cache); the corrected cache it sampled from during training
/// is opened only when asked for by name, never in the served cache's place.
struct TrainedRetrieverServing {
    let record: TrainedRetrieverRecord
    let store: CorpusStore

    func open(_ which: TrainedRetrieverCache, prompts: Prompts) throws -> CachedDenseRetriever {
        let catalog = try EmbeddingCacheCatalog(database: store.pool)
        let served = try catalog.record(named: record.cacheName)
        // Retrievers trained before served caches existed kept their corrected cache under the served name.
        let servedIsCorrected = served?.weightsHash.hasPrefix(TrainedRetrieverRecord.runMatrixHashPrefix) ?? false
        switch which {
        case .served:
            guard served != nil, !servedIsCorrected else {
                throw ServingError.notEmbedded(name: record.name, passages: try store.passageCount(), olderRun: servedIsCorrected)
            }
            return try CachedDenseRetriever(
                cacheName: record.cacheName, store: store, model: record.queryEncoderFolder, prompts: prompts,
                pairedQueryEncoder: true, displayName: record.name, refreshCommand: "quarry embed --retriever \(record.name)")
        case .corrected:
            let name = servedIsCorrected ? record.cacheName : record.correctedCacheName
            guard try catalog.record(named: name) != nil else {
                throw ServingError.noCorrectedCache(name: record.name, strategy: record.strategy)
            }
            // Rows computed by the corrector come from no model folder, so their weights never match one.
            return try CachedDenseRetriever(
                cacheName: name, store: store, model: record.queryEncoderFolder, prompts: prompts, warnsWhenStale: false,
                pairedQueryEncoder: true, displayName: record.name + ":" + TrainedRetrieverCache.corrected.rawValue,
                refreshCommand: "quarry train retriever --name \(record.name)")
        }
    }
}

/// Why a trained retriever cannot be searched as asked.
public enum ServingError: Error, CustomStringConvertible, Equatable {
    case noSuchRetriever(name: String)
    /// The corpus has not been embedded by the retriever's trained passage encoder.
    case notEmbedded(name: String, passages: Int, olderRun: Bool)
    case noCorrectedCache(name: String, strategy: String)

    public var description: String {
        switch self {
        case let .noSuchRetriever(name):
            return "no trained retriever named \(name): run `quarry train retriever --name \(name)`"
        case let .notEmbedded(name, passages, olderRun):
            let why = olderRun
                ? "it was trained by an earlier Quarry, which kept only the corrected cache it sampled from"
                : "its training stopped before the final embedding or ran with --no-final-embed"
            return "retriever \(name) has no served cache (the corpus embedded by its trained passage encoder): \(why). "
                + "Run `quarry embed --retriever \(name)` (one pass over \(passages) passages), or search the cache it "
                + "sampled from with `--retriever \(name):corrected`, which hides much of what training gained"
        case let .noCorrectedCache(name, strategy):
            return "retriever \(name) has no corrected cache: its strategy (\(strategy)) trains no corrector"
        }
    }
}
