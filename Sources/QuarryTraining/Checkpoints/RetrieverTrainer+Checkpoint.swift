import Foundation
import QuarryNN

/// Everything in a checkpoint besides the float arrays.
struct RetrieverCheckpointState: Codable {
    var configuration: RetrieverTrainingConfiguration
    var progress: TrainingProgress
}

extension RetrieverTrainer {
    /// `<run>/checkpoint`.
    public var checkpointFolder: CheckpointFolder? {
        runFolder.map { CheckpointFolder(url: $0.appendingPathComponent("checkpoint")) }
    }

    /// Writes all parameters, optimiser moments, the caches that cannot be recomputed, the sampler's
    /// generator and the step, atomically.
    public func saveCheckpoint() throws {
        guard let folder = checkpointFolder else { return }
        var arrays: [(name: String, values: [Float])] = []
        for (i, store) in encoders.stores.enumerated() {
            arrays.append(("encoder.\(i)", Array(UnsafeBufferPointer(start: store.values, count: store.count))))
        }
        if let corrector {
            let store = corrector.network.store
            arrays.append(("corrector", Array(UnsafeBufferPointer(start: store.values, count: store.count))))
        }
        // g′ itself is reproducible, but a refreshed cache or h(g′) from an earlier corrector is not.
        if strategy.refreshInterval != nil { arrays.append(("cache", cache)) }
        bringCorrectedCacheUpToDate()
        if let correctedCache { arrays.append(("corrected", correctedCache)) }
        let state = RetrieverCheckpointState(configuration: configuration, progress: progress)
        try folder.write(state: state, arrays: arrays) { partial in
            for (i, optimizer) in optimizers.enumerated() {
                try optimizer.saveState(to: partial.appendingPathComponent("optimizer-encoder-\(i).safetensors"))
            }
            try corrector?.optimizer.saveState(to: partial.appendingPathComponent("optimizer-corrector.safetensors"))
        }
        log("checkpoint at step \(progress.step)")
    }

    /// Loads the run folder's checkpoint, if any, into this trainer (built with the same configuration).
    func restoreCheckpoint() throws {
        guard let folder = checkpointFolder, let (state, file, found) = try folder.read(RetrieverCheckpointState.self) else {
            log("no checkpoint to resume from: starting at step 0")
            return
        }
        let path = folder.url.path
        guard state.configuration == configuration else {
            throw CheckpointError.unusable(path: path, reason: "it was made with other settings; resume with the same flags")
        }
        func load(_ name: String, count: Int) throws -> [Float] {
            do { return try file.floats(name, count: count) } catch {
                throw CheckpointError.unusable(path: path, reason: "\(error)")
            }
        }
        func loadOptimizer(_ optimizer: AdamW, _ name: String) throws {
            do { try optimizer.loadState(from: found.appendingPathComponent(name)) } catch {
                throw CheckpointError.unusable(path: path, reason: "\(error)")
            }
        }
        for (i, (store, optimizer)) in zip(encoders.stores, optimizers).enumerated() {
            let values = try load("encoder.\(i)", count: store.count)
            values.withUnsafeBufferPointer { store.values.update(from: $0.baseAddress!, count: store.count) }
            try loadOptimizer(optimizer, "optimizer-encoder-\(i).safetensors")
        }
        if let corrector {
            let store = corrector.network.store
            let values = try load("corrector", count: store.count)
            values.withUnsafeBufferPointer { store.values.update(from: $0.baseAddress!, count: store.count) }
            try loadOptimizer(corrector.optimizer, "optimizer-corrector.safetensors")
            correctedCache = try load("corrected", count: cache.count)
        }
        if strategy.refreshInterval != nil { cache = try load("cache", count: cache.count) }
        progress = state.progress
        restoredStep = progress.step
        trainedRows = Set(progress.correctorTrainedRows)
        log("resumed from the checkpoint at step \(progress.step)")
    }
}
