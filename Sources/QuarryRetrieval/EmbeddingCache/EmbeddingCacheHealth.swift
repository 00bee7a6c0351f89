import Foundation
import QuarryNN
import QuarryStore

/// How a cache stands against its model and its store, cheaply enough for every `search` and `stats`:
/// the weights are re-hashed only when their file's size or time changed, and the passages are checked by
/// count below the last cached id plus the fingerprints of the last rows (where replaced passages reuse ids).
public struct EmbeddingCacheHealth: Sendable {
    public var name: String
    public var rows: Int
    public var dimension: Int
    /// The model folder that made the rows.
    public var model: String
    /// The encoder precision that made the rows (nil without a manifest).
    public var precision: Precision?
    /// Passages in the store now.
    public var passages: Int
    /// Why the rows no longer describe the current weights or passages (empty when they do).
    public var staleReasons: [String]

    /// Every passage has a row and nothing is stale.
    public var isCurrent: Bool { staleReasons.isEmpty && rows >= passages }
    public var isStale: Bool { !staleReasons.isEmpty }

    /// Rows checked against the store by fingerprint, counted from the end.
    static let tailRowsChecked = 64

    /// Checks `cache` of `store`. `weights`, when given, is the fingerprint of the model the caller will
    /// encode queries with; otherwise the model recorded in the manifest is fingerprinted.
    public static func check(_ cache: EmbeddingCache, store: CorpusStore, weights: WeightsFingerprint? = nil) throws -> EmbeddingCacheHealth {
        guard let record = try cache.record() else { throw EmbeddingCacheError.missing(name: cache.name) }
        var health = EmbeddingCacheHealth(name: cache.name, rows: record.rowsCompleted, dimension: record.dimension,
                                          model: record.modelPath, passages: try store.passageCount(), staleReasons: [])
        let manifest = try EmbeddingCacheManifest.load(for: cache)
        health.precision = manifest?.madePrecision
        if manifest == nil { health.staleReasons.append("the cache has no manifest (\(EmbeddingCacheManifest.url(for: cache).path))") }
        let current: WeightsFingerprint?
        if let weights {
            current = weights
        } else {
            let folder = URL(fileURLWithPath: manifest?.model ?? record.modelPath)
            current = try? WeightsFingerprint.of(modelFolder: folder, reusing: manifest?.weights)
            if current == nil { health.staleReasons.append("the model at \(folder.path) is gone") }
        }
        if let current, current.sha256 != record.weightsHash {
            health.staleReasons.append("made by other weights (sha256 \(record.weightsHash.prefix(12))…, the model now has \(current.sha256.prefix(12))…)")
        }
        try checkPassages(cache, record: record, store: store, into: &health)
        return health
    }

    private static func checkPassages(_ cache: EmbeddingCache, record: EmbeddingCacheRecord, store: CorpusStore,
                                      into health: inout EmbeddingCacheHealth) throws {
        guard record.rowsCompleted > 0 else { return }
        let entries: [CachedPassageEntry]
        do { entries = try CachedPassageList.read(for: cache, count: record.rowsCompleted) } catch {
            health.staleReasons.append("\(error)")
            return
        }
        let below = try store.passageCount(throughID: entries.last!.passageID)
        if below != entries.count {
            health.staleReasons.append("passages were removed or replaced since the cache was made (\(entries.count) rows, \(below) passages up to the last one)")
            return
        }
        let tail = entries.suffix(tailRowsChecked)
        let stored = try store.passages(in: tail.first!.passageID...tail.last!.passageID)
        if stored.map(CachedPassageEntry.init) != Array(tail) {
            health.staleReasons.append("passages were replaced since the cache was made")
        }
    }

    /// One line for people: "current", "partial: …" or "stale: …".
    public var summary: String { summary(refreshCommand: "quarry embed") }

    /// The same, naming `refreshCommand` as what brings the cache up to date.
    public func summary(refreshCommand: String) -> String {
        if isStale { return "stale: " + staleReasons.joined(separator: "; ") + "; run `\(refreshCommand)` again" }
        if rows < passages { return "partial: \(rows) of \(passages) passages embedded; run `\(refreshCommand)` to finish" }
        return "current"
    }
}
