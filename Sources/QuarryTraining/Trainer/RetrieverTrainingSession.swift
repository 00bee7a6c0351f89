import Foundation
import QuarryModels
import QuarryNN
import QuarryStore
import QuarryText

/// Everything `quarry train retriever` does, from files to a named retriever: read the corpus and the QA
/// sets, supervise, obtain the stale cache, train, evaluate, and save the run.
public struct RetrieverTrainingSession {
    public var databaseURL: URL
    public var modelFolder: URL
    /// Training questions with answers; nil when `judged` supervises instead.
    public var trainingQA: URL?
    public var evaluationQA: URL?
    /// Judged queries that supervise instead of `trainingQA` (positives: passages of relevant documents). Without
    /// `evaluationQA`, the `evaluationSide` of these queries (split by query id) is evaluated on.
    public var judged: JudgedQuerySet?
    /// The side of the split (`QASplitPlan`: by article, or by paragraph) of `trainingQA` to train on, and of
    /// `evaluationQA` to evaluate on (nil: every question), with the test side's share of units.
    public var trainingSide: QASplit?
    public var evaluationSide: QASplit?
    public var testShare = QASplit.defaultTestShare
    /// Train on only the first this many questions of the training side.
    public var trainingLimit: Int?
    public var name: String
    public var configuration: RetrieverTrainingConfiguration
    /// The embedding cache to reuse as g′ when the weights match (`quarry embed` writes `dense`).
    public var initialCacheName = "dense"
    public var keepGoing = false
    public var resume = false
    /// Stop after this many steps in total (as if killed), leaving the checkpoint to resume from.
    public var stopAfter: Int?
    /// End by embedding the corpus with the trained passage encoder into the served cache.
    public var finalEmbedding = true
    public var log: (String) -> Void = { _ in }

    public init(databaseURL: URL, modelFolder: URL, trainingQA: URL?, evaluationQA: URL? = nil, name: String,
                configuration: RetrieverTrainingConfiguration) {
        self.databaseURL = databaseURL
        self.modelFolder = modelFolder
        self.trainingQA = trainingQA
        self.evaluationQA = evaluationQA
        self.name = name
        self.configuration = configuration
    }

    /// What a finished (or stopped) run produced.
    public struct Outcome {
        public var trainer: RetrieverTrainer
        public var supervision: SupervisionSummary
        public var initialCacheSource: String
        public var folder: URL
        /// Evaluation on the served cache (the corpus embedded by the final passage encoder), after the final embedding.
        public var servedEvaluation: EvaluationRecord?
        /// Wall time of the final embedding (of this process, when it resumed one).
        public var finalEmbeddingSeconds: Double?
        /// Mean ‖g′(y) − g_final(y)‖² and ‖h(g′(y)) − g_final(y)‖² over the corpus, after the final embedding.
        public var finalStaleError: Float?
        public var finalCorrectedError: Float?
        public var finished: Bool
    }

    /// One side of the split (all of `examples` without a side), saying which unit it split by and how many
    /// questions it kept.
    private func select(_ examples: [QAExample], side: QASplit?, of purpose: String) -> [QAExample] {
        guard let side else { return examples }
        let plan = QASplitPlan(examples, testShare: testShare)
        log("\(purpose) set: \(plan.summary(of: examples))")
        let kept = plan.select(side, from: examples)
        log("\(purpose) questions: \(kept.count) of \(examples.count) on the \(side.rawValue) side")
        return kept
    }

    /// The first `trainingLimit` of the training questions, saying so when it cuts.
    private func limited(_ examples: [QAExample]) -> [QAExample] {
        guard let trainingLimit, trainingLimit < examples.count else { return examples }
        log("training questions: the first \(trainingLimit) of \(examples.count) (--limit)")
        return Array(examples.prefix(trainingLimit))
    }

    /// With `judged`: its `trainingSide` supervised by relevant documents, and its `evaluationSide` to evaluate
    /// on when there is no `evaluationQA`. Without: nothing.
    private func superviseJudged(store: CorpusStore, corpus: TrainingCorpus, queryTokens: (QAExample) -> [Int]) throws
        -> ([SupervisedQuestion], SupervisionSummary, [EvaluationQuestion]) {
        guard let judged else { return ([], SupervisionSummary(), []) }
        let supervision = try JudgedSupervision(judgements: judged.judgements, corpus: corpus, store: store,
                                                bm25Depth: configuration.bm25Depth, bm25Negatives: max(32, configuration.samples))
        let examples = judged.queries.map(\.example)
        let ids = { (kept: [QAExample]) in Set(kept.map(\.id)) }
        let training = ids(limited(select(examples, side: trainingSide, of: "training")))
        let (questions, summary) = try supervision.supervise(judged.queries.filter { training.contains($0.id) }, store: store,
                                                             corpus: corpus, queryTokens: queryTokens)
        guard evaluationQA == nil, let evaluationSide else { return (questions, summary, []) }
        let evaluated = ids(select(examples, side: evaluationSide, of: "evaluation"))
        let evaluation = supervision.evaluationQuestions(judged.queries.filter { evaluated.contains($0.id) }, queryTokens: queryTokens)
        log("evaluation: \(evaluation.count) judged queries, \(evaluation.filter { $0.answerBearing.isEmpty }.count) without a relevant passage in the store")
        return (questions, summary, evaluation)
    }

    public func run() throws -> Outcome {
        try configuration.validate()
        guard RetrieverLibrary.isValidName(name) else {
            throw TrainingError.invalidArgument("\(name): not a retriever name (letters, digits, '-', '_' and '.', not first)")
        }
        guard trainingQA != nil || judged != nil else {
            throw TrainingError.invalidArgument("no training questions: give a QA set or judged queries")
        }
        guard FileManager.default.fileExists(atPath: databaseURL.path) else {
            throw TrainingError.invalidArgument("\(databaseURL.path): no such database; run `quarry ingest` first")
        }
        let store = try CorpusStore(url: databaseURL)
        let tokenizer = try BertTokenizer(modelDirectory: modelFolder)
        let prompts = try Prompts.load()
        let catalog = try RetrieverLibrary(store: store)
        let folder = catalog.folder(for: name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        let corpus = try TrainingCorpus.load(store: store, tokenizer: tokenizer, prompts: prompts, maxTokens: configuration.maxPassageTokens)
        guard corpus.count > 0 else { throw TrainingError.invalidArgument("\(databaseURL.path): the store holds no passages") }
        log("corpus: \(corpus.count) passages")
        let truncated = try corpus.truncatedShare(store: store, tokenizer: tokenizer, prompts: prompts,
                                                          maxTokens: configuration.maxPassageTokens)
        if truncated >= 0.2 {
            // Training then never sees the end of most passages (nor answers there), while served caches embed
            // up to the model's limit: worth a larger --max-passage-tokens, at a proportional cost a step.
            log(String(format: "note: about %.0f%% of the passages are longer than --max-passage-tokens %d word pieces and "
                       + "are cut in training (served caches embed them up to the model's limit)", 100 * truncated,
                       configuration.maxPassageTokens))
        }
        let queryTokens = { (e: QAExample) in
            tokenizer.encode(prompts.query.render(["question": e.question]).text, maxLength: configuration.maxQueryTokens)
        }
        let reader = QASetReader(keepGoing: keepGoing)
        var (questions, summary, evaluation) = try superviseJudged(store: store, corpus: corpus, queryTokens: queryTokens)
        if let trainingQA {
            let trainingSet = try reader.read(trainingQA)
            for problem in trainingSet.problems { log("skipped: \(problem)") }
            let trainingExamples = limited(select(trainingSet.examples, side: trainingSide, of: "training"))
            let supervision = DistantSupervision(bm25Depth: configuration.bm25Depth, bm25Negatives: max(32, configuration.samples))
            (questions, summary) = try supervision.supervise(trainingExamples, corpus: corpus, store: store, queryTokens: queryTokens)
        }
        log("supervision: \(summary.questions) questions, \(summary.supervised) with a positive (\(summary.positivesFromBM25) ranked by BM25, \(summary.positivesByFallback) by fallback), \(summary.withoutAnswerBearingPassage) without an answer-bearing passage (skipped)")
        if let evaluationQA {
            let set = try reader.read(evaluationQA)
            evaluation = DistantSupervision.evaluationQuestions(select(set.examples, side: evaluationSide, of: "evaluation"),
                                                                corpus: corpus, queryTokens: queryTokens)
            log("evaluation: \(evaluation.count) questions, \(evaluation.filter { $0.answerBearing.isEmpty }.count) without an answer-bearing passage")
        }

        let initial = try InitialCache.obtain(store: store, corpus: corpus, modelFolder: modelFolder,
                                              preferredName: initialCacheName, maxTokens: configuration.maxPassageTokens, log: log)
        let encoders = try DualEncoder(modelFolder: modelFolder, shared: configuration.sharedEncoders)
        let trainer = try RetrieverTrainer(configuration: configuration, encoders: encoders, corpus: corpus, questions: questions,
                                           evaluation: evaluation, initialCache: initial.matrix, ledger: initial.ledger, runFolder: folder)
        trainer.log = log
        try writeJSON(RunDescription(configuration: configuration, model: modelFolder.path,
                                     trainingQA: trainingQA?.path ?? judged?.source ?? "",
                                     evaluationQA: evaluationQA?.path, supervision: summary, initialCache: initial.source),
                      to: folder.appendingPathComponent("config.json"))
        try trainer.train(resume: resume, stopAfter: stopAfter)
        var outcome = Outcome(trainer: trainer, supervision: summary, initialCacheSource: initial.source, folder: folder,
                              finished: trainer.progress.step >= configuration.steps)
        guard outcome.finished else { return outcome }

        // A kill during the final embedding then resumes at the end of training, not at the last checkpoint.
        if configuration.checkpointEvery > 0 && !trainer.restoredAtEnd { try trainer.saveCheckpoint() }
        try catalog.save(trainer, name: name, baseModel: modelFolder)
        if finalEmbedding {
            try serve(trainer, catalog: catalog, store: store, initial: initial.matrix, outcome: &outcome)
        } else {
            log("no final embedding (--no-final-embed): `--retriever \(name)` cannot search until `quarry embed --retriever \(name)` "
                + "embeds the corpus with the trained passage encoder; `--retriever \(name):corrected` searches the corrected "
                + "cache, which hides much of what training gained")
        }
        try writeJSON(trainer.progress.ledger, to: folder.appendingPathComponent("ledger.json"))
        try writeJSON(RunSummary(outcome), to: folder.appendingPathComponent("summary.json"))
        return outcome
    }

    /// Embeds the corpus with the final passage encoder into the served cache (counted in the ledger as one
    /// pass over the corpus), then evaluates what users will search and measures how far the stale and
    /// corrected caches ended from it.
    private func serve(_ trainer: RetrieverTrainer, catalog: RetrieverLibrary, store: CorpusStore, initial: [Float],
                       outcome: inout Outcome) throws {
        log("final embedding: \(trainer.corpus.count) passages with the trained passage encoder, into the served cache "
            + RetrieverLibrary.cacheName(for: name))
        var lastLogged = Date.distantPast
        let embedded = try catalog.embedServedCache(name: name) { [log] progress in
            guard Date().timeIntervalSince(lastLogged) >= 10 || progress.rowsDone == progress.rowsTotal else { return }
            lastLogged = Date()
            log("  \(progress.rowsDone)/\(progress.rowsTotal) passages embedded"
                + String(format: ", %.1f passages/s", progress.passagesPerSecond))
        }
        trainer.progress.ledger.record(.finalEmbedding, passes: embedded.rows, seconds: embedded.seconds)
        outcome.finalEmbeddingSeconds = embedded.seconds
        log(String(format: "final embedding done: %d passages (%d now) in %.1f s", embedded.rows, embedded.added, embedded.seconds))
        let served = try ServedCacheMatrix.load(name: RetrieverLibrary.cacheName(for: name), store: store, corpus: trainer.corpus)
        outcome.servedEvaluation = try trainer.evaluate(against: served.rows, index: EvaluationRecord.servedIndex)
        if let record = outcome.servedEvaluation { log("eval at step \(record.step) (served): " + record.accuracy.summary) }
        // Drift compares like with like: caches of passages cut at the same length.
        guard served.maxTokens == configuration.maxPassageTokens else {
            log("final drift not measured: the served cache embeds up to \(served.maxTokens.map(String.init) ?? "?") tokens a passage, "
                + "the training caches \(configuration.maxPassageTokens) (the fidelity probes measure drift at training length)")
            return
        }
        outcome.finalStaleError = DriftLoss.meanSquaredDistance(initial, served.rows, dimension: trainer.dimension)
        outcome.finalCorrectedError = trainer.correctedCache.map {
            DriftLoss.meanSquaredDistance($0, served.rows, dimension: trainer.dimension)
        }
    }

    private func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { try AtomicFile.write(try encoder.encode(value), to: url) } catch let error as FileWriteError {
            throw TrainingError.io(path: url.path, reason: error.reason)
        } catch {
            throw TrainingError.io(path: url.path, reason: "cannot encode (\(error))")
        }
    }
}

/// The run's `config.json`: the settings and where the data came from.
struct RunDescription: Codable {
    var configuration: RetrieverTrainingConfiguration
    var model: String
    var trainingQA: String
    var evaluationQA: String?
    var supervision: SupervisionSummary
    var initialCache: String
}

/// The run's `summary.json`: final figures for comparing runs.
public struct RunSummary: Codable {
    public var strategy: String
    public var steps: Int
    /// The last evaluation through the cache negative sampling used (corrected, or the sampling cache).
    public var samplingCacheEvaluation: EvaluationRecord?
    /// The evaluation through the served cache: what `--retriever NAME` gives users.
    public var servedEvaluation: EvaluationRecord?
    public var finalEmbeddingSeconds: Double?
    public var finalFidelity: SamplingFidelity?
    public var finalSoftmaxFidelity: SoftmaxFidelity?
    public var finalStaleSquaredError: Float?
    public var finalCorrectedSquaredError: Float?
    public var reembeddedPassages: Int
    public var encoderPasses: Int
    public var correctedCacheRecomputations: Int
    public var meanStepTimings: StepTimings
    public var trainingSeconds: Double

    init(_ outcome: RetrieverTrainingSession.Outcome) {
        let t = outcome.trainer
        strategy = t.configuration.negatives
        steps = t.progress.step
        samplingCacheEvaluation = t.evaluations.last { $0.isThroughSamplingCache }
        servedEvaluation = outcome.servedEvaluation
        finalEmbeddingSeconds = outcome.finalEmbeddingSeconds
        finalFidelity = t.fidelity.last
        finalSoftmaxFidelity = t.softmaxFidelity.last
        finalStaleSquaredError = outcome.finalStaleError
        finalCorrectedSquaredError = outcome.finalCorrectedError
        reembeddedPassages = t.progress.ledger.reembeddedPasses
        encoderPasses = t.progress.ledger.totalPasses
        correctedCacheRecomputations = t.progress.correctedCacheRecomputations
        var mean = t.progress.timingTotals
        let n = Double(max(t.progress.timedSteps, 1))
        for path in [\StepTimings.refresh, \.queryForward, \.scoring, \.sampling, \.passageForward, \.loss, \.backward, \.optimizer, \.corrector, \.total] {
            mean[keyPath: path] /= n
        }
        meanStepTimings = mean
        trainingSeconds = t.progress.timingTotals.total
    }
}

extension RetrieverTrainingSession.Outcome {
    /// What `train retriever` prints when it is done: where the retriever is, its accuracy through the sampling
    /// cache and as served, the final embedding, drift, step time by part and the re-embedding ledger.
    public func reportLines(name: String) -> [String] {
        let t = trainer
        var lines = ["retriever \(name) (\(t.configuration.negatives)), \(t.progress.step) steps, saved in \(folder.path)"]
        if let sampling = t.evaluations.last(where: { $0.isThroughSamplingCache }) {
            lines.append("top-k accuracy through the sampling cache (\(sampling.index), not what users search): \(sampling.accuracy.summary)")
        }
        if let servedEvaluation {
            lines.append("top-k accuracy served (the corpus embedded by the trained passage encoder): \(servedEvaluation.accuracy.summary)")
        }
        if let finalEmbeddingSeconds {
            lines.append(String(format: "final embedding: %.1f s (one pass over the corpus, in the ledger)", finalEmbeddingSeconds))
        }
        if let finalStaleError {
            lines.append(String(format: "final drift: mean ‖g′(y) − g(y)‖² = %.5f", finalStaleError)
                         + (finalCorrectedError.map { String(format: ", mean ‖h(g′(y)) − g(y)‖² = %.5f", $0) } ?? ""))
        }
        let n = Double(max(t.progress.timedSteps, 1)), totals = t.progress.timingTotals
        lines.append(String(format: "mean step %.3f s; scoring %.1f ms, sampling %.1f ms, corrector %.1f ms (%.2f%% of the step)",
                            totals.total / n, 1000 * totals.scoring / n, 1000 * totals.sampling / n, 1000 * totals.corrector / n,
                            100 * totals.samplingShare))
        lines.append("corrected cache recomputed \(t.progress.correctedCacheRecomputations) times")
        lines.append("passage-encoder ledger:")
        lines.append(t.progress.ledger.table())
        return lines
    }
}
