import Foundation

/// Every setting of a retriever training run; saved as the run's `config.json` and checked on `--resume`.
public struct RetrieverTrainingConfiguration: Codable, Equatable, Sendable {
    /// `in-batch`, `bm25`, `stale`, `corrected`, `refresh:R` or `exact`.
    public var negatives = "corrected"
    public var steps = 1000
    /// Questions per step (B).
    public var batchSize = 8
    /// Sampled negatives per question (K).
    public var samples = 4
    /// `gumbel` (sample from the softmax of the cache scores) or `top-k`.
    public var sampler = "gumbel"
    public var temperature: Float = 1
    /// β in s(x, y) = β·⟨f(x), g(y)⟩.
    public var scale: Float = 20
    public var learningRate: Float = 2e-5
    public var warmupSteps = 100
    public var weightDecay: Float = 0.01
    public var clipNorm: Float = 1
    /// One encoder for questions and passages instead of two.
    public var sharedEncoders = false
    /// Hidden width of the corrector; 0 means the embedding dimension.
    public var correctorWidth = 0
    public var correctorLearningRate: Float = 1e-3
    /// Steps during which the corrector trains but sampling still uses the uncorrected cache.
    public var correctorWarmupSteps = 0
    /// Steps between recomputations of the corrected cache h(g′(Y)).
    public var correctEvery = 1
    /// When positive, each step corrects only the `correctCandidates` passages each question scores highest
    /// in the stale cache and samples from the corrected softmax over those (the union over the batch),
    /// instead of correcting every passage: the corrector's cost no longer grows with the corpus. The whole
    /// h(g′(Y)) is then recomputed only for evaluations, checkpoints and the save. 0: the full pass.
    public var correctCandidates = 0
    public var maxPassageTokens = 128
    public var maxQueryTokens = 64
    /// Steps between evaluations and fidelity probes (0: only at the start and the end).
    public var evalEvery = 100
    /// Steps between checkpoints (0: none).
    public var checkpointEvery = 100
    public var seed: UInt64 = 1
    /// Questions in the fixed sampling-fidelity probe.
    public var probeQuestions = 8
    /// Candidates per probe question taken from each score's top list and embedded fresh.
    public var probeCandidates = 20
    /// K of the top-K overlap the probe reports.
    public var probeK = 5
    /// BM25 depth for choosing positives and BM25 negatives.
    public var bm25Depth = 100
    /// Held-out questions on which every evaluation compares each sampling softmax with the fresh one (the
    /// whole corpus re-embedded by the current encoder, counted as `probe` passes); 0 turns it off.
    public var fidelityQuestions = 0
    /// What the corrector learns from: `mse` (its output against the fresh embeddings of the step's passages),
    /// `scores` (the batch questions' softmax over those passages, corrected against fresh) or `mse+scores`.
    public var correctorLoss = "mse"
    /// Passages drawn uniformly and embedded fresh each step for the corrector alone (counted as
    /// `corrector sample` passes), beside the ones the step encodes anyway.
    public var correctorSamples = 0

    public init() {}

    /// The parsed strategy.
    public func strategy() throws -> NegativeStrategy { try NegativeStrategy(parsing: negatives) }

    /// Rejects settings no run can use.
    public func validate() throws {
        _ = try strategy()
        func require(_ ok: Bool, _ message: String) throws { if !ok { throw TrainingError.invalidArgument(message) } }
        try require(steps >= 1, "--steps must be at least 1")
        try require(batchSize >= 1, "--batch must be at least 1")
        try require(samples >= 0, "--samples cannot be negative")
        try require(sampler == "gumbel" || sampler == "top-k", "--sampler must be gumbel or top-k")
        try require(temperature > 0 && temperature.isFinite, "--temperature must be a positive number")
        try require(scale > 0 && scale.isFinite, "--scale must be a positive number")
        try require(learningRate > 0 && correctorLearningRate > 0, "learning rates must be positive")
        try require(correctorWidth >= 0 && correctEvery >= 1, "--corrector-width ≥ 0 and --correct-every ≥ 1")
        try require(correctCandidates >= 0, "--correct-candidates cannot be negative")
        try require(maxPassageTokens >= 3 && maxQueryTokens >= 3, "token limits must be at least 3")
        try require(evalEvery >= 0 && checkpointEvery >= 0, "--eval-every and --checkpoint-every cannot be negative")
        try require(probeQuestions >= 0 && probeCandidates >= 1 && probeK >= 1, "probe sizes must be positive")
        try require(fidelityQuestions >= 0 && correctorSamples >= 0, "--fidelity-questions and --corrector-samples cannot be negative")
        try require(CorrectorLoss(rawValue: correctorLoss) != nil, "--corrector-loss must be mse, scores or mse+scores")
    }
}

extension RetrieverTrainingConfiguration {
    /// Reads a saved configuration; a setting it lacks (saved before the setting existed) takes its default,
    /// which is how the older program behaved, so checkpoints of earlier versions still resume.
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        negatives = try c.decodeIfPresent(type(of: negatives), forKey: .negatives) ?? negatives
        steps = try c.decodeIfPresent(type(of: steps), forKey: .steps) ?? steps
        batchSize = try c.decodeIfPresent(type(of: batchSize), forKey: .batchSize) ?? batchSize
        samples = try c.decodeIfPresent(type(of: samples), forKey: .samples) ?? samples
        sampler = try c.decodeIfPresent(type(of: sampler), forKey: .sampler) ?? sampler
        temperature = try c.decodeIfPresent(type(of: temperature), forKey: .temperature) ?? temperature
        scale = try c.decodeIfPresent(type(of: scale), forKey: .scale) ?? scale
        learningRate = try c.decodeIfPresent(type(of: learningRate), forKey: .learningRate) ?? learningRate
        warmupSteps = try c.decodeIfPresent(type(of: warmupSteps), forKey: .warmupSteps) ?? warmupSteps
        weightDecay = try c.decodeIfPresent(type(of: weightDecay), forKey: .weightDecay) ?? weightDecay
        clipNorm = try c.decodeIfPresent(type(of: clipNorm), forKey: .clipNorm) ?? clipNorm
        sharedEncoders = try c.decodeIfPresent(type(of: sharedEncoders), forKey: .sharedEncoders) ?? sharedEncoders
        correctorWidth = try c.decodeIfPresent(type(of: correctorWidth), forKey: .correctorWidth) ?? correctorWidth
        correctorLearningRate = try c.decodeIfPresent(type(of: correctorLearningRate), forKey: .correctorLearningRate) ?? correctorLearningRate
        correctorWarmupSteps = try c.decodeIfPresent(type(of: correctorWarmupSteps), forKey: .correctorWarmupSteps) ?? correctorWarmupSteps
        correctEvery = try c.decodeIfPresent(type(of: correctEvery), forKey: .correctEvery) ?? correctEvery
        correctCandidates = try c.decodeIfPresent(type(of: correctCandidates), forKey: .correctCandidates) ?? correctCandidates
        maxPassageTokens = try c.decodeIfPresent(type(of: maxPassageTokens), forKey: .maxPassageTokens) ?? maxPassageTokens
        maxQueryTokens = try c.decodeIfPresent(type(of: maxQueryTokens), forKey: .maxQueryTokens) ?? maxQueryTokens
        evalEvery = try c.decodeIfPresent(type(of: evalEvery), forKey: .evalEvery) ?? evalEvery
        checkpointEvery = try c.decodeIfPresent(type(of: checkpointEvery), forKey: .checkpointEvery) ?? checkpointEvery
        seed = try c.decodeIfPresent(type(of: seed), forKey: .seed) ?? seed
        probeQuestions = try c.decodeIfPresent(type(of: probeQuestions), forKey: .probeQuestions) ?? probeQuestions
        probeCandidates = try c.decodeIfPresent(type(of: probeCandidates), forKey: .probeCandidates) ?? probeCandidates
        probeK = try c.decodeIfPresent(type(of: probeK), forKey: .probeK) ?? probeK
        bm25Depth = try c.decodeIfPresent(type(of: bm25Depth), forKey: .bm25Depth) ?? bm25Depth
        fidelityQuestions = try c.decodeIfPresent(type(of: fidelityQuestions), forKey: .fidelityQuestions) ?? fidelityQuestions
        correctorLoss = try c.decodeIfPresent(type(of: correctorLoss), forKey: .correctorLoss) ?? correctorLoss
        correctorSamples = try c.decodeIfPresent(type(of: correctorSamples), forKey: .correctorSamples) ?? correctorSamples
    }
}
