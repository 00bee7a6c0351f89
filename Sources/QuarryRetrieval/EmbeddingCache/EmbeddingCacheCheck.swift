import Foundation
import QuarryStore

/// What `quarry check` finds about each embedding cache: damage to its files first (rows the store counts
/// but the file lacks, a passage list that cannot map them), then whether it lags its model or the store.
public enum EmbeddingCacheCheck {
    /// Every cache of `store`, by name.
    public static func findings(in store: CorpusStore) throws -> [HealthFinding] {
        // Opening the catalog creates its table: leave a store that never had a cache as it is.
        guard try store.tables().contains(where: { $0.name == "embedding_caches" }) else { return [] }
        let catalog = try EmbeddingCacheCatalog(database: store.pool)
        let retrievers = try TrainedRetrieverCatalog(database: store.pool).all()
        return try catalog.all().map { record in
            let cache = try EmbeddingCache(name: record.name, databaseURL: store.url, catalog: catalog)
            if let owner = retrievers.first(where: { $0.correctedCacheName == record.name }) {
                return samplingCacheFinding(cache, record: record, owner: owner.name)
            }
            let refresh = retrievers.first { $0.cacheName == record.name }.map { "quarry embed --retriever \($0.name)" }
                ?? "quarry embed --name \(record.name) --model '\(record.modelPath)'"
            return try finding(cache, record: record, store: store, refresh: refresh)
        }
    }

    /// Why the float file of `cache` cannot back the rows the store records, if it cannot.
    static func fileDamage(_ cache: EmbeddingCache, record: EmbeddingCacheRecord) -> String? {
        let rowBytes = record.dimension * MemoryLayout<Float>.size
        guard let bytes = (try? FileManager.default.attributesOfItem(atPath: cache.fileURL.path))?[.size] as? Int else {
            return record.rowsCompleted > 0 ? "\(cache.fileURL.path) is missing; the store records \(record.rowsCompleted) rows" : nil
        }
        guard bytes >= record.rowsCompleted * rowBytes else {
            return "\(cache.fileURL.path) holds \(bytes / max(rowBytes, 1)) whole rows; the store records \(record.rowsCompleted)"
        }
        return nil
    }

    private static func finding(_ cache: EmbeddingCache, record: EmbeddingCacheRecord, store: CorpusStore,
                                refresh: String) throws -> HealthFinding {
        let part = "cache \(record.name)"
        // `embed` starts a damaged cache afresh, so the command that refreshes it also repairs it.
        if let damage = fileDamage(cache, record: record) ?? listDamage(cache, record: record) {
            return HealthFinding(part: part, verdict: .damaged, detail: damage, repair: refresh)
        }
        let health = try EmbeddingCacheHealth.check(cache, store: store)
        guard health.isCurrent else {
            return HealthFinding(part: part, verdict: .lagging, detail: health.summary(refreshCommand: refresh), repair: refresh)
        }
        return HealthFinding(part: part, verdict: .ok, detail: "\(health.rows) rows, current with its model and the passages")
    }

    /// A trainer's corrected cache: made by no model, so only its files can be judged.
    private static func samplingCacheFinding(_ cache: EmbeddingCache, record: EmbeddingCacheRecord, owner: String) -> HealthFinding {
        let part = "cache \(record.name)"
        let remake = "quarry train retriever … --name \(owner) (only --retriever \(owner):corrected reads this cache)"
        if let damage = fileDamage(cache, record: record) {
            return HealthFinding(part: part, verdict: .damaged, detail: damage, repair: remake)
        }
        guard FileManager.default.fileExists(atPath: CachedPassageList.url(for: cache).path) else {
            return HealthFinding(part: part, verdict: .lagging,
                                 detail: "saved without a passage list (before 2026-12-08): rows map to passages by position, "
                                     + "which is wrong once passages were removed", repair: remake)
        }
        if let damage = listDamage(cache, record: record) {
            return HealthFinding(part: part, verdict: .damaged, detail: damage, repair: remake)
        }
        return HealthFinding(part: part, verdict: .ok, detail: "\(record.rowsCompleted) rows, the corrected cache retriever \(owner) sampled from")
    }

    private static func listDamage(_ cache: EmbeddingCache, record: EmbeddingCacheRecord) -> String? {
        do {
            _ = try CachedPassageList.read(for: cache, count: record.rowsCompleted)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
