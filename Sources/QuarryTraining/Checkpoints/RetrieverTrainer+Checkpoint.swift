import Foundation
import QuarryNN

/// Everything in a checkpoint besides the float arrays.
struct RetrieverCheckpointState: Codable {
    var configuration: RetrieverTrainingConfiguration
    var progress: TrainingProgress
    var optimizerSteps: [Int]
    var correctorOptimizerStep: Int?
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
        for (i, (store, optimizer)) in zip(encoders.stores, optimizers).enumerated() {
            arrays.append(("encoder.\(i)", Array(UnsafeBufferPointer(start: store.values, count: store.count))))
            let state = optimizer.exportState()
            arrays.append(("encoder.\(i).m", state.firstMoment))
            arrays.append(("encoder.\(i).v", state.secondMoment))
        }
        var correctorStep: Int?
        if let corrector {
            let store = corrector.network.store
            arrays.append(("corrector", Array(UnsafeBufferPointer(start: store.values, count: store.count))))
            let state = corrector.optimizer.exportState()
            arrays.append(("corrector.m", state.firstMoment))
            arrays.append(("corrector.v", state.secondMoment))
            correctorStep = state.step
        }
        // g′ itself is reproducible, but a refreshed cache or h(g′) from an earlier corrector is not.
        if strategy.refreshInterval != nil { arrays.append(("cache", cache)) }
        if let correctedCache { arrays.append(("corrected", correctedCache)) }
        let state = RetrieverCheckpointState(configuration: configuration, progress: progress,
                                             optimizerSteps: optimizers.map { $0.exportState().step },
                                             correctorOptimizerStep: correctorStep)
        try folder.write(state: state, arrays: arrays)
        log("checkpoint at step \(progress.step)")
    }

    /// Loads the run folder's checkpoint, if any, into this trainer (built with the same configuration).
    func restoreCheckpoint() throws {
        guard let folder = checkpointFolder, let (state, file) = try folder.read(RetrieverCheckpointState.self) else {
            log("no checkpoint to resume from: starting at step 0")
            return
        }
        let path = folder.url.path
        guard state.configuration == configuration else {
            throw TrainingError.corruptCheckpoint(path: path, reason: "it was made with other settings; resume with the same flags")
        }
        func load(_ name: String, count: Int) throws -> [Float] {
            let values: [Float]
            do { values = try file.floats(name) } catch {
                throw TrainingError.corruptCheckpoint(path: path, reason: "\(error)")
            }
            guard values.count == count else {
                throw TrainingError.corruptCheckpoint(path: path, reason: "\(name) holds \(values.count) floats, expected \(count)")
            }
            return values
        }
        for (i, (store, optimizer)) in zip(encoders.stores, optimizers).enumerated() {
            let values = try load("encoder.\(i)", count: store.count)
            values.withUnsafeBufferPointer { store.values.update(from: $0.baseAddress!, count: store.count) }
            optimizer.restoreState(step: state.optimizerSteps[i], firstMoment: try load("encoder.\(i).m", count: store.count),
                                   secondMoment: try load("encoder.\(i).v", count: store.count))
        }
        if let corrector {
            let store = corrector.network.store
            let values = try load("corrector", count: store.count)
            values.withUnsafeBufferPointer { store.values.update(from: $0.baseAddress!, count: store.count) }
            corrector.optimizer.restoreState(step: state.correctorOptimizerStep ?? 0,
                                             firstMoment: try load("corrector.m", count: store.count),
                                             secondMoment: try load("corrector.v", count: store.count))
            correctedCache = try load("corrected", count: cache.count)
        }
        if strategy.refreshInterval != nil { cache = try load("cache", count: cache.count) }
        progress = state.progress
        trainedRows = Set(progress.correctorTrainedRows)
        log("resumed from the checkpoint at step \(progress.step)")
    }
}
