import Foundation
import QuarryModels
import QuarryNN

/// One question to train on: the passages it is read with and where its answers lie in each.
public struct ReaderTrainingExample: Sendable {
    public var question: String
    public var passages: [ReaderPassage]
    /// For each passage, the UTF-8 ranges of its text holding a gold answer (empty: the passage teaches relevance only).
    public var answerRanges: [[Range<Int>]]

    public init(question: String, passages: [ReaderPassage], answerRanges: [[Range<Int>]]) {
        precondition(passages.count == answerRanges.count, "answer ranges for every passage")
        self.question = question
        self.passages = passages
        self.answerRanges = answerRanges
    }
}

/// Hyper-parameters of a reader training run.
public struct ReaderTrainingOptions: Codable, Sendable, Equatable {
    public var steps = 1000
    public var questionsPerStep = 16
    public var learningRate: Float = 1e-4
    /// The heads' learning rate relative to the encoder's (fresh heads can move faster than pretrained layers).
    public var headsLearningRateScale: Float = 1
    public var warmupFraction: Float = 0.1
    public var weightDecay: Float = 0.01
    public var maxGradientNorm: Float = 1
    /// Windows without the answer read beside each question's positive one (relevance negatives).
    public var negatives = 3
    /// How the start and end softmaxes are normalised in the loss (per positive window, or shared across
    /// all the question's windows); the trained reader scores spans the same way.
    public var normalization: SpanScoringRule.Normalization = .window
    /// Windows per encoder pass (a step is split into passes of whole questions to bound memory).
    public var windowsPerPass = 16
    public var seed: UInt64 = 1
    public var checkpointEvery = 200
    public var logEvery = 10
    /// When set, the run lasts this many seconds of training (`steps` is then only a cap) and the learning
    /// rate follows the warm-up/decay shape over time (or over steps, when the cap is nearer), so a run ends
    /// decayed whatever the speed.
    public var timeBudget: Double?

    public init() {}

    /// Sets the step budget: `steps`, else `epochs` passes over `examples` questions, else 1,000; with
    /// `minutes`, the run is bounded by time and the steps (when given, directly or as epochs) are a cap.
    public mutating func budget(steps: Int?, epochs: Double?, minutes: Double?, examples: Int) {
        self.steps = steps ?? epochs.map { max(1, Int((Double(examples) * $0 / Double(questionsPerStep)).rounded(.up))) } ?? 1000
        timeBudget = minutes.map { $0 * 60 }
        if minutes != nil && steps == nil && epochs == nil { self.steps = 1_000_000 }
    }
}

extension ExtractiveReader {
    /// After training with `options`: score spans the way the loss normalised them — relevance joins the
    /// per-window factorisation only, and only when it was trained (with no negatives each question had one
    /// window, so its relevance loss was constant) — and read as many passages as it learnt to choose among.
    public func adoptReadingRules(of options: ReaderTrainingOptions) {
        spanScoring = SpanScoringRule(normalization: options.normalization,
                                      usesRelevance: options.normalization == .window && options.negatives > 0)
        readPassages = 1 + options.negatives
    }
}

/// Where a run stands, for progress display.
public struct ReaderTrainingProgress: Sendable {
    public var step: Int
    public var steps: Int
    public var loss: ReaderLossParts
    public var learningRate: Float
    public var questionsPerSecond: Double
    public var secondsRemaining: Double?
    /// Seconds trained so far (a resumed run counts its earlier time).
    public var elapsedSeconds: Double
    /// The run's time budget when time, not `steps`, bounds it.
    public var timeBudget: Double?
}

/// Trains an `ExtractiveReader` with AdamW on `ReaderLoss`: linear warm-up and decay, global gradient-norm
/// clipping over encoder and heads, an atomic checkpoint (weights and step) every `checkpointEvery` steps,
/// and a metrics line (JSON) every `logEvery` steps.
///
/// Question order is a seeded shuffle per epoch, a pure function of (seed, step), so a resumed run reads
/// the same questions as an uninterrupted one. A checkpoint is a `CheckpointFolder` (as the retriever
/// trainer's): weights, the optimisers' moments and the step swapped in together, so a resumed run
/// continues with the same moments.
public final class ReaderTrainer {
    public let reader: ExtractiveReader
    public let examples: [ReaderTrainingExample]
    public let options: ReaderTrainingOptions
    /// The checkpoint (`checkpoint/`) and the metrics log (`metrics.jsonl`) live here.
    public let workFolder: URL
    private let encoderOptimizer: AdamW
    private let headsOptimizer: AdamW

    public init(reader: ExtractiveReader, examples: [ReaderTrainingExample], options: ReaderTrainingOptions, workFolder: URL) throws {
        guard !examples.isEmpty else { throw ReaderError.badConfiguration("no training question has its answer in a passage") }
        guard options.steps > 0, options.questionsPerStep > 0 else { throw ReaderError.badConfiguration("steps and batch must be positive") }
        self.reader = reader
        self.examples = examples
        self.options = options
        self.workFolder = workFolder
        encoderOptimizer = AdamW(store: reader.encoder.store, weightDecay: options.weightDecay)
        headsOptimizer = AdamW(store: reader.heads.store, weightDecay: options.weightDecay)
    }

    public var checkpointFolder: CheckpointFolder { CheckpointFolder(url: workFolder.appendingPathComponent("checkpoint")) }
    public var metricsURL: URL { workFolder.appendingPathComponent("metrics.jsonl") }

    /// The example index read at global position `position` (step · batch + slot).
    func exampleIndex(at position: Int) -> Int {
        order.index(at: position)
    }
    /// Seconds of training behind the current step (restored from a checkpoint), for time budgets.
    private var trainedSeconds = 0.0
    /// The steps since the last metrics line (restored from a checkpoint, so a resumed run logs the same means).
    private var logWindow = LogWindow()
    private lazy var order = EpochOrder(count: examples.count) { [seed = options.seed] epoch in
        seed &* 0x9E37_79B9 &+ UInt64(epoch)
    }

    /// The training item of an example: one positive window (a seeded choice among those holding a whole
    /// answer) first, then up to `negatives` windows without an answer, in passage (retrieval) order.
    public static func item(for example: ReaderTrainingExample, reader: ExtractiveReader, negatives: Int,
                            rng: inout Xoshiro256) -> ReaderTrainingItem? {
        var positives: [(ReaderWindow, [Int], [Int])] = []
        var others: [ReaderWindow] = []
        for (p, passage) in example.passages.enumerated() {
            for window in reader.inputs.windows(question: example.question, passage: passage, passageIndex: p) {
                let spans = example.answerRanges[p].compactMap { window.tokenSpan(covering: $0) }
                if spans.isEmpty {
                    others.append(window)
                } else {
                    positives.append((window, spans.map(\.lowerBound), spans.map(\.upperBound)))
                }
            }
        }
        guard !positives.isEmpty else { return nil }
        let chosen = positives[Int(rng.next() % UInt64(positives.count))]
        return ReaderTrainingItem(windows: [chosen.0] + others.prefix(max(0, negatives)), starts: chosen.1, ends: chosen.2)
    }

    /// Runs to `options.steps` (or stops after step `until`, checkpointing there), from the checkpoint when
    /// `resume` is set and one exists. Returns the step reached.
    @discardableResult
    public func run(resume: Bool, until: Int? = nil, progress: ((ReaderTrainingProgress) -> Void)? = nil) throws -> Int {
        try FileManager.default.createDirectory(at: workFolder, withIntermediateDirectories: true)
        var step = 0
        var resumed = false
        if resume, let restored = try loadCheckpoint() {
            step = restored
            resumed = true
        } else if resume, !Self.legacyCheckpointFiles(in: workFolder).isEmpty {
            throw ReaderError.malformedFolder(path: workFolder.path, reason: "its checkpoint is in the format of an earlier Quarry, "
                                              + "which this one cannot resume; run without --resume to start over")
        } else {
            for file in Self.legacyCheckpointFiles(in: workFolder) { try? FileManager.default.removeItem(at: file) }
        }
        let schedule = LinearWarmupDecay(peak: options.learningRate,
                                         warmupSteps: Int(Float(options.steps) * options.warmupFraction), totalSteps: options.steps)
        // Lines a killed run logged after its last checkpoint are dropped: this run logs those steps again.
        let metrics = try MetricsLog(url: metricsURL, keepingThrough: resumed ? step : nil)
        let startSeconds = trainedSeconds
        let started = Date().addingTimeInterval(-trainedSeconds)
        let firstStep = step
        if !resumed { logWindow = LogWindow() }
        var last = min(options.steps, until ?? options.steps)
        var saved = -1
        while step < last {
            var rate = schedule.rate(at: step)
            if let budget = options.timeBudget {
                let timeShare = Float(Date().timeIntervalSince(started) / budget)
                if timeShare >= 1 { last = step; break }
                // With a step cap too, the schedule follows whichever bound is nearer, so the rate has decayed
                // when the run ends either way.
                let progress = max(timeShare, Float(step) / Float(options.steps))
                let warmup = max(options.warmupFraction, 1e-6)
                rate = options.learningRate * (progress < warmup ? progress / warmup : (1 - progress) / max(1 - warmup, 1e-6))
            }
            let (loss, norm) = try trainStep(step, learningRate: rate)
            step += 1
            logWindow.add(loss, norm: norm)
            let elapsed = Date().timeIntervalSince(started)
            trainedSeconds = elapsed
            if let budget = options.timeBudget, elapsed >= budget { last = step }
            let perSecond = Double((step - firstStep) * options.questionsPerStep) / max(elapsed - startSeconds, 1e-9)
            // Progress every step (the loss averaged since the last metrics line); a metrics line every
            // `logEvery` steps and at the run's end. A stop asked by `until` logs nothing extra, so a resumed
            // run's log equals an uninterrupted one's.
            let mean = logWindow.meanLoss
            let remaining = options.timeBudget.map { max(0, $0 - elapsed) }
                ?? Double(options.steps - step) * (elapsed - startSeconds) / Double(step - firstStep)
            progress?(ReaderTrainingProgress(step: step, steps: options.steps, loss: mean, learningRate: rate,
                                             questionsPerSecond: perSecond, secondsRemaining: remaining,
                                             elapsedSeconds: elapsed, timeBudget: options.timeBudget))
            if step % options.logEvery == 0 || step == options.steps || (options.timeBudget != nil && step == last) {
                let line: [String: Any] = [
                    "step": step, "loss": mean.total, "relevance": mean.relevance, "start": mean.start, "end": mean.end,
                    "lr": Double(rate), "grad_norm": logWindow.meanNorm, "seconds": elapsed, "questions_per_second": perSecond,
                ]
                try metrics.append(object: line)
                logWindow = LogWindow()
            }
            if step % options.checkpointEvery == 0 || step == last { try saveCheckpoint(step: step); saved = step }
        }
        if step > firstStep && saved != step { try saveCheckpoint(step: step) }
        return step
    }

    /// One optimiser step over the batch of global step `step`; returns its loss and the gradient norm before clipping.
    func trainStep(_ step: Int, learningRate: Float) throws -> (ReaderLossParts, Float) {
        let encoderStore = reader.encoder.store, headStore = reader.heads.store
        encoderStore.zeroGradients()
        headStore.zeroGradients()
        var items: [ReaderTrainingItem] = []
        for slot in 0..<options.questionsPerStep {
            let position = step * options.questionsPerStep + slot
            var rng = Xoshiro256(seed: options.seed ^ (UInt64(position) &* 0xD1B5_4A32_D192_ED03))
            if let item = Self.item(for: examples[exampleIndex(at: position)], reader: reader, negatives: options.negatives, rng: &rng) {
                items.append(item)
            }
        }
        // Passes of whole questions, similar lengths together, at most `windowsPerPass` windows each.
        items.sort { ($0.windows.map(\.ids.count).max() ?? 0) < ($1.windows.map(\.ids.count).max() ?? 0) }
        var total = ReaderLossParts()
        var pass: [ReaderTrainingItem] = []
        func flush() throws {
            guard !pass.isEmpty else { return }
            let parts = try ReaderLoss.run(pass, reader: reader, questions: items.count, backward: true,
                                           normalization: options.normalization)
            total.relevance += parts.relevance; total.start += parts.start; total.end += parts.end
            pass.removeAll()
        }
        for item in items {
            if !pass.isEmpty && pass.reduce(0, { $0 + $1.windows.count }) + item.windows.count > options.windowsPerPass { try flush() }
            pass.append(item)
        }
        try flush()
        let encoderNorm = Double(encoderStore.gradientNorm()), headNorm = Double(headStore.gradientNorm())
        let norm = (encoderNorm * encoderNorm + headNorm * headNorm).squareRoot()
        if norm > Double(options.maxGradientNorm) && norm.isFinite {
            let factor = Float(Double(options.maxGradientNorm) / (norm + 1e-6))
            BLAS.scale(encoderStore.count, alpha: factor, x: encoderStore.gradients)
            BLAS.scale(headStore.count, alpha: factor, x: headStore.gradients)
        }
        encoderOptimizer.update(encoderStore, learningRate: learningRate)
        headsOptimizer.update(headStore, learningRate: learningRate * options.headsLearningRateScale)
        return (total, Float(norm))
    }

    /// Encoder and heads weights, their optimisers' moments and the step reached, swapped in atomically.
    func saveCheckpoint(step: Int) throws {
        let state = ReaderCheckpointState(step: step, steps: options.steps, questionsPerStep: options.questionsPerStep,
                                          seed: options.seed, examples: examples.count, seconds: trainedSeconds, logWindow: logWindow)
        let arrays = stores.map { ($0.0, Array(UnsafeBufferPointer(start: $0.1.values, count: $0.1.count))) }
        try checkpointFolder.write(state: state, arrays: arrays) { partial in
            for (name, optimizer) in optimizers { try optimizer.saveState(to: partial.appendingPathComponent("optimizer-\(name).safetensors")) }
        }
    }

    /// Before checkpoints were folders, a reader's was `checkpoint.safetensors` with per-step moment files beside it.
    static func legacyCheckpointFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0 == "checkpoint.safetensors" || ($0.hasPrefix("optimizer-") && $0.hasSuffix(".safetensors")) }
            .map { folder.appendingPathComponent($0) }
    }

    private var stores: [(String, ParameterStore)] { [("encoder", reader.encoder.store), ("heads", reader.heads.store)] }
    private var optimizers: [(String, AdamW)] { [("encoder", encoderOptimizer), ("heads", headsOptimizer)] }

    /// Loads the checkpoint's weights and moments; returns its step, or nil without a checkpoint. The run's
    /// shape must match the checkpoint's.
    func loadCheckpoint() throws -> Int? {
        let folder = checkpointFolder
        guard let (state, file, found) = try folder.read(ReaderCheckpointState.self) else { return nil }
        func unusable(_ reason: String) -> CheckpointError { .unusable(path: found.path, reason: reason) }
        for (key, recorded, value) in [("steps", state.steps, options.steps), ("questions per step", state.questionsPerStep, options.questionsPerStep),
                                       ("examples", state.examples, examples.count)] where recorded != value {
            throw unusable("made with \(key) = \(recorded), this run has \(value); rerun without --resume to start over")
        }
        do {
            for (name, store) in stores {
                let values = try file.floats(name, count: store.count)
                values.withUnsafeBufferPointer { store.values.update(from: $0.baseAddress!, count: store.count) }
            }
            for (name, optimizer) in optimizers { try optimizer.loadState(from: found.appendingPathComponent("optimizer-\(name).safetensors")) }
        } catch {
            throw unusable("\(error)")
        }
        trainedSeconds = state.seconds
        logWindow = state.logWindow
        return state.step
    }
}

/// Everything in a reader checkpoint besides the float arrays.
struct ReaderCheckpointState: Codable {
    var step: Int
    var steps: Int
    var questionsPerStep: Int
    var seed: UInt64
    var examples: Int
    /// Seconds trained up to `step`, for time budgets.
    var seconds: Double
    /// The steps since the last metrics line, so a resumed run logs the same means.
    var logWindow: LogWindow
}

/// Loss parts and gradient norms summed over the steps since the last metrics line (JSON numbers read back
/// exactly, so a resumed run's means equal an uninterrupted one's).
struct LogWindow: Codable {
    var sums = ReaderLossParts()
    var norms = 0.0
    var steps = 0

    mutating func add(_ loss: ReaderLossParts, norm: Float) {
        steps += 1
        sums.relevance += loss.relevance; sums.start += loss.start; sums.end += loss.end
        norms += Double(norm)
    }

    var meanLoss: ReaderLossParts {
        let n = Double(steps)
        return ReaderLossParts(relevance: sums.relevance / n, start: sums.start / n, end: sums.end / n)
    }

    var meanNorm: Double { norms / Double(steps) }

    init() {}
}
