import Foundation
import QuarryModels
import QuarryNN
import QuarryStore

extension RetrieverLibrary {
    /// What `quarry check` finds about each trained retriever: both encoders and the corrector load, and the
    /// served cache exists (its files and freshness are the cache's own finding).
    public func findings() throws -> [HealthFinding] {
        let caches = try EmbeddingCacheCatalog(database: store.pool)
        return try records.all().map { record in
            let part = "retriever \(record.name)"
            do {
                for folder in [record.queryEncoderFolder, record.passageEncoderFolder] { _ = try BertEncoder(contentsOf: folder) }
                let corrector = URL(fileURLWithPath: record.folder).appendingPathComponent("corrector.safetensors")
                if FileManager.default.fileExists(atPath: corrector.path) { _ = try SafetensorsFile(url: corrector) }
            } catch {
                return HealthFinding(part: part, verdict: .damaged, detail: "\(error)",
                                     repair: "quarry train retriever … --name \(record.name) (train it again)")
            }
            guard try caches.record(named: record.cacheName) != nil else {
                return HealthFinding(part: part, verdict: .lagging, detail: "its served cache \(record.cacheName) is missing",
                                     repair: "quarry embed --retriever \(record.name)")
            }
            return HealthFinding(part: part, verdict: .ok, detail: "query and passage encoders load (\(record.strategy), \(record.steps) steps)")
        }
    }
}
