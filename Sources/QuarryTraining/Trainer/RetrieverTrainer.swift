import Foundation
import QuarryModels
import QuarryNN

/// The state of a run that a checkpoint must restore besides the parameters and the caches.
public struct TrainingProgress: Codable, Equatable, Sendable {
    /// Steps completed.
    public var step = 0
    /// The sampler's generator (the only randomness a step draws).
    public var random: SamplerRandom
    public var ledger = ReembeddingLedger()
    /// Times the corrected cache h(g′(Y)) was recomputed.
    public var correctedCacheRecomputations = 0
    /// Rows the corrector has fitted (so its error can be measured on the others).
    public var correctorTrainedRows: [Int] = []
    /// Phase times summed over the steps.
    public var timingTotals = StepTimings()
    /// Steps those totals cover (this process and the ones before a resume).
    public var timedSteps = 0
}

/// Trains the dual encoder on supervised questions with one negatives strategy, keeping the passage cache,
/// the corrector, the cost ledger and the metrics. One step: f(x) → score the cache → draw negatives →
/// encode positives and negatives with g → contrastive loss → update f, g → fit the corrector to the drift.
public final class RetrieverTrainer {
    public let configuration: RetrieverTrainingConfiguration
    public let strategy: NegativeStrategy
    public let encoders: DualEncoder
    public let corpus: TrainingCorpus
    public let questions: [SupervisedQuestion]
    public let evaluation: [EvaluationQuestion]
    public let corrector: CorrectorTrainer?
    public internal(set) var progress: TrainingProgress
    /// The sampling cache [rows, d]: g′ from the start, or the last re-embedding for `refresh`/`exact`.
    public internal(set) var cache: [Float]
    /// h(g′(Y)) [rows, d] when the strategy uses the corrector. With `correctCandidates` it may lag the
    /// corrector between evaluations (`correctedCacheLags`); `bringCorrectedCacheUpToDate` recomputes it.
    public internal(set) var correctedCache: [Float]?
    /// The corrector changed since `correctedCache` was computed (only with `correctCandidates`).
    var correctedCacheLags = false
    /// Where checkpoints and `metrics.jsonl` go; nil keeps everything in memory (tests).
    public let runFolder: URL?
    /// Progress lines (stderr in the command).
    public var log: (String) -> Void = { _ in }
    /// The run resumed from a checkpoint taken after its last step (a kill during the final embedding).
    public var restoredAtEnd: Bool { restoredStep.map { $0 >= configuration.steps } ?? false }
    var restoredStep: Int?
    /// Fidelity probes and evaluations logged so far in this process.
    public internal(set) var evaluations: [EvaluationRecord] = []
    public internal(set) var fidelity: [SamplingFidelity] = []
    public internal(set) var softmaxFidelity: [SoftmaxFidelity] = []

    let optimizers: [AdamW]
    let schedule: BatchSchedule
    let learningRates: LinearWarmupDecay
    let sampler: GumbelTopKSampler
    let probe: SamplingFidelityProbe
    var trainedRows = Set<Int>()
    var metrics: MetricsLog?

    /// `initialCache` is g′(Y) for every corpus row; `ledger` already counts how it was made.
    public init(configuration: RetrieverTrainingConfiguration, encoders: DualEncoder, corpus: TrainingCorpus,
                questions: [SupervisedQuestion], evaluation: [EvaluationQuestion], initialCache: [Float],
                ledger: ReembeddingLedger = ReembeddingLedger(), runFolder: URL? = nil) throws {
        try configuration.validate()
        guard !questions.isEmpty else { throw TrainingError.noTrainingQuestions("no training question has an answer-bearing passage") }
        let d = encoders.dimension
        guard initialCache.count == corpus.count * d else {
            throw TrainingError.invalidArgument("initial cache holds \(initialCache.count / max(d, 1)) rows of \(d), the corpus \(corpus.count) passages")
        }
        self.configuration = configuration
        strategy = try configuration.strategy()
        self.encoders = encoders
        self.corpus = corpus
        self.questions = questions
        self.evaluation = evaluation
        self.runFolder = runFolder
        cache = initialCache
        if strategy.usesCorrector {
            let width = configuration.correctorWidth > 0 ? configuration.correctorWidth : d
            corrector = CorrectorTrainer(network: CorrectorNetwork(dimension: d, width: width, seed: configuration.seed &+ 17),
                                         learningRate: configuration.correctorLearningRate)
            correctedCache = initialCache  // h is the identity until it has trained
        } else {
            corrector = nil
        }
        progress = TrainingProgress(random: SamplerRandom(seed: configuration.seed), ledger: ledger)
        optimizers = encoders.stores.map { AdamW(store: $0, weightDecay: configuration.weightDecay) }
        schedule = BatchSchedule(questionCount: questions.count, batchSize: configuration.batchSize, seed: configuration.seed)
        learningRates = LinearWarmupDecay(peak: configuration.learningRate, warmupSteps: configuration.warmupSteps,
                                          totalSteps: configuration.steps)
        sampler = GumbelTopKSampler(temperature: configuration.temperature)
        let probeSource = evaluation.isEmpty ? questions.map(\.queryTokens) : evaluation.map(\.queryTokens)
        probe = SamplingFidelityProbe(questionTokens: Array(probeSource.prefix(configuration.probeQuestions)),
                                      candidates: configuration.probeCandidates, k: configuration.probeK)
    }

    public var dimension: Int { encoders.dimension }

    /// The matrix retrieval with this run uses: h(g′(Y)) with a corrector, else the sampling cache.
    public var searchMatrix: [Float] { correctedCache ?? cache }

    /// Trains until `configuration.steps` (or `stopAfter` steps in total, to simulate an interrupted run),
    /// evaluating, probing and checkpointing on schedule. Resumes from the run folder's checkpoint when
    /// `resume` is set and one exists.
    public func train(resume: Bool = false, stopAfter: Int? = nil) throws {
        if resume { try restoreCheckpoint() }
        if let folder = runFolder {
            // A run resumed at step 0 probes step 0 again, so it keeps no lines; later it keeps those through its checkpoint.
            // The served evaluation follows the last step; a run resumed after training evaluates it again.
            metrics = try MetricsLog(url: folder.appendingPathComponent("metrics.jsonl"),
                                     keepingThrough: resume && progress.step > 0 ? progress.step : nil,
                                     redone: { $0["index"] as? String == EvaluationRecord.servedIndex })
        }
        let end = min(configuration.steps, stopAfter ?? configuration.steps)
        defer { bringCorrectedCacheUpToDate() }  // the save and the summary read it
        if progress.step == 0 && end > 0 { try evaluateAndProbe() }
        while progress.step < end {
            let record = try step()
            try metrics?.append(record)
            let done = progress.step
            if done % 10 == 0 || done == end {
                log(String(format: "step %d/%d  loss %.4f%@  %.2f s/step", done, configuration.steps, record.loss,
                           record.driftLoss.map { String(format: "  drift %.5f", $0) as NSString } ?? "", record.timings.total))
            }
            if configuration.evalEvery > 0 && done % configuration.evalEvery == 0 && done < configuration.steps {
                try evaluateAndProbe()
            }
            if done == configuration.steps { try evaluateAndProbe() }
            if configuration.checkpointEvery > 0 && done % configuration.checkpointEvery == 0 && done < configuration.steps {
                try saveCheckpoint()
            }
        }
    }
}

/// Calls `body` with a pointer to the array's elements, or nil for a nil array.
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
    guard let array else { return try body(nil) }
    return try array.withUnsafeBufferPointer { try body($0.baseAddress!) }
}
