import ArgumentParser
import Foundation
import QuarryQA
import QuarryStore
import QuarryText

struct TrainReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reader",
        abstract: "Train the extractive reader from question–answer pairs.",
        discussion: """
            By default each question is read with its top --k retrieved passages; a passage whose text holds a gold \
            answer (normalised, whole words) is a positive, the others teach relevance only (distant supervision). \
            With --gold-context, SQuAD questions are read with their own paragraph instead, the fastest way to \
            teach spans; questions that name their article but give no paragraph (JSON lines with "title", as the \
            demo set) are read with that article's stored passages. --minutes bounds the run by time, --steps or \
            --epochs by work; with both it stops at whichever comes first. The reader is saved as \
            <db>.readers/<name>/ and recorded in the store; the run keeps a checkpoint and a metrics log in \
            <db>.readers/<name>.training/ (--resume continues from it).

            \(StoreOptions.writerLockHelp)
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @OptionGroup var retrieval: RetrievalOptions

    @Option(help: "QA set: SQuAD JSON, JSON lines, TSV or CSV (optionally gzip). Repeat it to train on several sets at once; PATH:WEIGHT counts each of that set's questions WEIGHT times a pass (fractions take an even share).")
    var qa: [String]

    @Option(name: .customLong("search-style-share"),
            help: "Share of the questions (0–1) also trained on in search-engine style: lower case, no question mark.")
    var searchStyleShare = 0.0

    @OptionGroup var selection: QASelectionOptions

    @Flag(name: .customLong("gold-context"), help: "Read each question with its own SQuAD paragraph (else its article's passages, by title), not retrieved passages.")
    var goldContext = false

    @Option(name: [.customShort("k"), .customLong("k")], help: "Passages retrieved per question (distant supervision).")
    var k = 10

    @Option(help: "Windows without the answer read beside the positive one (default 3; 0 with --gold-context).")
    var negatives: Int?

    @Option(help: "Optimiser steps (default 1000 unless --epochs is given).")
    var steps: Int?

    @Option(help: "Passes over the questions, instead of --steps.")
    var epochs: Double?

    @Option(help: "Questions per step.")
    var batch = 16

    @Option(name: .customLong("lr"), help: "Peak learning rate (linear warm-up over 10% of the steps, then linear decay).")
    var learningRate: Float = 1e-4

    @Option(name: .customLong("heads-lr-scale"), help: "The heads' learning rate as a multiple of --lr.")
    var headsLearningRateScale: Float = 1

    @Option(name: .customLong("max-length"), help: "Tokens per input window, special tokens included (default 256; with --from, the reader's).")
    var maxLength: Int?

    @Option(name: .customLong("max-answer-tokens"), help: "Longest answer span, in word pieces (default 15; with --from, the reader's).")
    var maxAnswerTokens: Int?

    @Option(help: "Start from this trained reader (a name in this store, or a reader folder) instead of --model.")
    var from: String?

    @Option(name: .customLong("span-normalization"),
            help: "Normalise the start and end softmaxes per positive window (window) or across all the question's windows (shared); the reader then scores spans the same way.")
    var spanNormalization = "window"

    @Option(help: "Name of the reader to save.")
    var name = ReaderLibrary.defaultName

    @Option(help: "Model folder to start from, with fresh heads (default: $QUARRY_MODEL, else models/all-MiniLM-L6-v2).")
    var model: String?

    @Flag(help: "Continue from the run's last checkpoint.")
    var resume = false

    @Option(help: "Random seed (question order, head initialisation).")
    var seed: UInt64 = 1

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery = 200

    @Option(help: "Train for this many minutes (the learning-rate schedule runs over the time; --steps becomes a cap).")
    var minutes: Double?

    func validate() throws {
        if qa.isEmpty { throw ValidationError("give at least one --qa FILE") }
        if let bad = qa.first(where: { QAMixturePart(parsing: $0) == nil }) {
            throw ValidationError("--qa \(bad): a weight after ':' must be a positive number")
        }
        if !(0...1).contains(searchStyleShare) { throw ValidationError("--search-style-share must lie in [0, 1]") }
        if k < 1 { throw ValidationError("--k must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive") }
        if steps != nil && epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        if !ReaderLibrary.isValidName(name) { throw ValidationError("--name: use letters, digits, '-', '_' and '.' (not first)") }
        if let minutes, minutes <= 0 { throw ValidationError("--minutes must be positive") }
        if SpanScoringRule.Normalization(rawValue: spanNormalization) == nil {
            throw ValidationError("--span-normalization takes window or shared")
        }
        if from != nil && model != nil { throw ValidationError("give --from or --model, not both") }
        // Checked here so a bad window size is named before the model is loaded.
        let windowing = ReaderConfiguration(maxSequenceLength: maxLength ?? 256, maxAnswerTokens: maxAnswerTokens ?? 15)
        if let problem = windowing.problem { throw ValidationError("--max-length / --max-answer-tokens: \(problem)") }
    }

    /// The questions of every `--qa` set (each split on its own), weighted, with their search-style variants.
    private func trainingQuestions() throws -> [QAExample] {
        var sets: [(examples: [QAExample], weight: Double)] = []
        for part in qa.compactMap(QAMixturePart.init(parsing:)) {
            let examples = try selection.load(part.path, log: store.note)
            guard !examples.isEmpty else { throw ValidationError("\(part.path): no questions (after --split/--limit)") }
            sets.append((examples, part.weight))
        }
        let mixed = QAMixture.withSearchStyleVariants(QAMixture.mix(sets), share: searchStyleShare)
        if sets.count > 1 || searchStyleShare > 0 {
            let parts = zip(qa, sets).map { "\($0.0) \($0.1.examples.count)" }.joined(separator: ", ")
            store.note("training questions: \(parts); \(mixed.count) in the mixture (weights and search-style variants)")
        }
        return mixed
    }

    func run() throws {
        precisionOptions.apply(quiet: store.quiet)
        let lock = try store.writerLock(for: "train reader --name \(name)")
        defer { withExtendedLifetime(lock) {} }
        do { try train() } catch let error as ValidationError { throw error } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
    }

    private func train() throws {
        let corpus = try store.openStore()
        let prompts = try retrieval.prompts()
        let questions = try trainingQuestions()
        let (reader, base) = try ReaderLibrary(store: corpus).startingReader(
            from: from, modelFolder: { try modelFolder(model) }, maxLength: maxLength, maxAnswerTokens: maxAnswerTokens,
            prompts: prompts, seed: seed)
        var session = ReaderTrainingSession(store: corpus, reader: reader, baseModel: base, supervision: .gold,
                                            options: options(), name: name)
        if !goldContext { session.supervision = .retrieved(try retrieval.openRetriever(corpus, prompts: prompts, quiet: store.quiet), k: k) }
        (session.steps, session.epochs, session.minutes, session.resume) = (steps, epochs, minutes, resume)
        session.log = store.note
        let showsProgress = store.showsProgress
        if showsProgress {
            session.retrievalProgress = { StandardError.write("\rretrieving passages: \($0)/\(questions.count)" + ($0 == questions.count ? "\n" : "")) }
        }
        var line = ProgressLine()
        let (steps, epochs) = (steps, epochs)
        let outcome = try session.run(questions) { p in
            // A cap is shown beside a time budget only when one was given, as steps or as epochs.
            if showsProgress { line.show(Self.progressText(p, stepsCap: steps ?? (epochs == nil ? nil : p.steps))) }
        }
        line.finish()
        if !store.quiet {
            print("reader \(name) saved to \(outcome.folder.path): \(outcome.stepsReached) steps of \(batch) questions in \(Format.duration(outcome.seconds))")
            print("metrics: \(outcome.metricsURL.path)")
        }
    }

    private func options() -> ReaderTrainingOptions {
        var options = ReaderTrainingOptions()
        options.questionsPerStep = batch
        options.learningRate = learningRate
        options.headsLearningRateScale = headsLearningRateScale
        options.negatives = negatives ?? (goldContext ? 0 : 3)
        options.seed = seed
        options.checkpointEvery = max(1, checkpointEvery)
        options.normalization = SpanScoringRule.Normalization(rawValue: spanNormalization)!
        return options
    }

    /// The progress line: the step out of the planned steps, or, when minutes bound the run, the time trained
    /// out of the budget (and the step cap only when one was given), then the loss and speed.
    static func progressText(_ p: ReaderTrainingProgress, stepsCap: Int?) -> String {
        let position: String
        if let budget = p.timeBudget {
            position = "step \(p.step)" + (stepsCap.map { " (at most \($0))" } ?? "")
                + ", \(Format.duration(p.elapsedSeconds)) of \(Format.duration(budget))"
        } else {
            position = "step \(p.step)/\(p.steps)" + (p.secondsRemaining.map { ", ETA \(Format.duration($0))" } ?? "")
        }
        return position + String(format: "  loss %.3f (relevance %.3f, start %.3f, end %.3f)  lr %.2e  %.1f questions/s",
                                 p.loss.total, p.loss.relevance, p.loss.start, p.loss.end,
                                 Double(p.learningRate), p.questionsPerSecond)
    }
}
