import ArgumentParser
import Foundation
import QuarryText
import QuarryTraining

struct TrainRetrieverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retriever",
        abstract: "Train the dense dual encoder with sampled hard negatives, by default corrected by a corrector network.",
        discussion: """
            Strategies (--negatives): in-batch, bm25, stale (initial cache, never updated), corrected (the default: \
            the cache corrected by a small network trained on the drift), refresh:R (re-embed the corpus every R \
            steps), exact (re-embed every step; tiny corpora only). The run is saved as a named retriever under \
            <db>.retrievers/NAME with its ledger of passage-encoder passes and metrics.jsonl.

            Training ends with one pass that embeds the corpus with the trained passage encoder into the served \
            cache retriever-NAME: what `--retriever NAME` searches on search, ask and eval. A kill during it is \
            finished by --resume (or by `quarry embed --retriever NAME`). Evaluations during training go through \
            the cache negative sampling uses (labelled corrected or cache); the last one (served) through the \
            served cache, which is what users get.

            \(StoreOptions.writerLockHelp)
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var precisionOptions: PrecisionOptions

    @Option(help: "Training questions with answers (SQuAD JSON, JSONL, TSV or CSV; .gz accepted).")
    var qa: String?

    @OptionGroup(title: "Relevance judgements, instead of --qa (positives: passages of relevant documents)")
    var judgements: JudgementOptions

    @Option(help: "The model folder both encoders start from.")
    var model = "models/all-MiniLM-L6-v2"

    @Option(help: "Negatives strategy: in-batch, bm25, stale, corrected, refresh:R or exact.")
    var negatives = "corrected"

    @Option(help: "Name of the trained retriever (default: the strategy).")
    var name: String?

    @Option(help: "Questions to evaluate top-k accuracy on, every --eval-every steps and at the end.")
    var evalQA: String?

    @OptionGroup(title: "Which questions of --qa (or of the judged queries) train")
    var selection: QASelectionOptions

    @Option(name: .customLong("eval-split"), help: "Side of the split of --eval-qa (with judgements and no --eval-qa: of the judged queries) to evaluate on: train, test or all.")
    var evalSplit = "all"

    @Option(help: "Training steps.") var steps = 1000
    @Option(help: "Questions per step.") var batch = 8
    @Option(help: "Sampled negatives per question.") var samples = 4
    @Option(help: "gumbel (sample from the softmax of cache scores) or top-k.") var sampler = "gumbel"
    @Option(help: "Softmax temperature of the Gumbel sampler.") var temperature: Float = 1
    @Option(help: "Score scale β on normalised dot products.") var scale: Float = 20
    @Option(help: "Peak learning rate of the encoders.") var lr: Float = 2e-5
    @Option(help: "Linear warm-up steps of the encoders' learning rate.") var warmup = 100
    @Option(help: "AdamW weight decay of the encoders.") var weightDecay: Float = 0.01
    @Option(help: "Clip the encoders' joint gradient norm to this.") var clip: Float = 1
    @Flag(help: "One encoder for questions and passages (default: two, as DPR).") var sharedEncoders = false
    @Option(help: "Hidden width of the corrector (0: the embedding dimension).") var correctorWidth = 0
    @Option(help: "Learning rate of the corrector.") var correctorLR: Float = 1e-3
    @Option(help: "Steps the corrector trains before sampling uses it.") var correctorWarmup = 0
    @Option(help: "Steps between recomputations of the corrected cache.") var correctEvery = 1
    @Option(help: ArgumentHelp(
        "Correct only each question's N best passages in the stale cache and sample among those (0: correct every passage each step).",
        discussion: "Keeps the corrector's cost per step independent of the corpus size; the whole corrected cache is then recomputed only for evaluations, checkpoints and the save."))
    var correctCandidates = 0
    @Option(help: "What the corrector fits: mse (fresh embeddings), scores (the batch's softmax over fresh scores) or mse+scores.")
    var correctorLoss = "mse"
    @Option(help: "Passages drawn at random and embedded fresh each step to teach the corrector, beside the step's own.")
    var correctorSamples = 0
    @Option(help: ArgumentHelp(
        "Questions (from --eval-qa, else the training ones) on which each evaluation compares the sampling softmaxes with the fresh one (0: off).",
        discussion: "Each evaluation then re-embeds the whole corpus (counted as probe passes) and also reports top-k accuracy on it."))
    var fidelityQuestions = 0
    @Option(help: "Truncate passages to this many tokens.") var maxPassageTokens = 128
    @Option(help: "Truncate questions to this many tokens.") var maxQueryTokens = 64
    @Option(help: "Steps between evaluations and fidelity probes (0: start and end only).") var evalEvery = 100
    @Option(help: "Steps between checkpoints (0: none).") var checkpointEvery = 100
    @Option(help: "Questions in the sampling-fidelity probe.") var probeQuestions = 8
    @Option(help: "Candidates per probe question and score embedded fresh.") var probeCandidates = 20
    @Option(help: "K of the probe's top-K overlap.") var probeK = 5
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Embedding cache to reuse as the initial cache when made by the same weights.") var initialCache = "dense"
    @Flag(help: ArgumentHelp(
        "Skip the final embedding of the corpus by the trained passage encoder.",
        discussion: "`--retriever NAME` then cannot search until `quarry embed --retriever NAME` makes the served cache."))
    var noFinalEmbed = false
    // Accepted for old scripts: the final embedding now always serves and evaluates the trained retriever.
    @Flag(name: .customLong("final-fresh-eval"), help: .hidden)
    var finalFreshEval = false
    @Flag(help: "Continue from the run's last checkpoint.") var resume = false
    @Flag(help: "Skip malformed QA rows instead of stopping.") var keepGoing = false

    func validate() throws {
        do { try makeConfiguration().validate() } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
        if let name, !RetrieverLibrary.isValidName(name) {
            throw ValidationError("--name: use letters, digits, '-', '_' and '.' (not first), at most \(RetrieverLibrary.maxNameLength) characters")
        }
        _ = try splitSide(evalSplit, option: "--eval-split")
        if (qa == nil) == !judgements.isGiven { throw ValidationError("give --qa FILE, or --qrels FILE --queries FILE (or --beir DIR), not both") }
    }

    func makeConfiguration() -> RetrieverTrainingConfiguration {
        var c = RetrieverTrainingConfiguration()
        c.negatives = negatives; c.steps = steps; c.batchSize = batch; c.samples = samples; c.sampler = sampler
        c.temperature = temperature; c.scale = scale; c.learningRate = lr; c.warmupSteps = warmup
        c.weightDecay = weightDecay; c.clipNorm = clip; c.sharedEncoders = sharedEncoders
        c.correctorWidth = correctorWidth; c.correctorLearningRate = correctorLR; c.correctorWarmupSteps = correctorWarmup
        c.correctEvery = correctEvery; c.correctCandidates = correctCandidates; c.correctorLoss = correctorLoss; c.correctorSamples = correctorSamples
        c.fidelityQuestions = fidelityQuestions; c.maxPassageTokens = maxPassageTokens; c.maxQueryTokens = maxQueryTokens
        c.evalEvery = evalEvery; c.checkpointEvery = checkpointEvery; c.probeQuestions = probeQuestions
        c.probeCandidates = probeCandidates; c.probeK = probeK; c.seed = seed
        return c
    }

    func run() throws {
        precisionOptions.apply(quiet: store.quiet)
        let configuration = makeConfiguration()
        let strategy = try configuration.strategy()
        let lock = try store.writerLock(for: "train retriever --name \(name ?? strategy.fileName)")
        defer { withExtendedLifetime(lock) {} }
        var session = RetrieverTrainingSession(
            databaseURL: store.databaseURL, modelFolder: URL(fileURLWithPath: model), trainingQA: qa.map { URL(fileURLWithPath: $0) },
            evaluationQA: evalQA.map { URL(fileURLWithPath: $0) }, name: name ?? strategy.fileName, configuration: configuration)
        session.trainingSide = selection.side
        session.trainingLimit = selection.limit
        session.evaluationSide = try splitSide(evalSplit, option: "--eval-split")
        session.testShare = selection.testShare
        if judgements.isGiven { session.judged = try judgements.load(note: store.note) }
        session.initialCacheName = initialCache
        session.keepGoing = keepGoing
        session.resume = resume
        session.finalEmbedding = !noFinalEmbed
        let quiet = store.quiet
        session.log = { if !quiet { StandardError.write($0 + "\n") } }
        let outcome = try session.run()
        outcome.reportLines(name: name ?? strategy.fileName).forEach { print($0) }
    }
}
