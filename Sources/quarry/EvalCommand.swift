import ArgumentParser
import Foundation
import QuarryQA
import QuarryStore
import QuarryText

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Exact match, F1 (SQuAD v1.1) and retrieval top-k accuracy on a QA set, or nDCG/MRR/recall on relevance judgements.",
        discussion: """
            With --qrels FILE --queries FILE (or --beir DIR), scores document rankings against relevance judgements \
            instead, as trec_eval does: recall@k for each --k, MRR@10 and nDCG@10 (see README); --run FILE writes the \
            ranking as a TREC run file.

            With --predictions FILE, scores answers made elsewhere (JSON lines with "question" or "id" and "answer",
            or the official {"id": "answer"} file) instead of running Quarry. Without a trained reader, EM and F1 are
            left out (null in --json) and the retrieval figures still come out.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @OptionGroup var answering: AnsweringOptions

    @Option(help: "QA set: SQuAD JSON, JSON lines, TSV or CSV (optionally gzip).")
    var qa: String?

    @OptionGroup(title: "Relevance judgements, instead of --qa") var judged: JudgedEvaluationOptionGroup

    @OptionGroup var selection: QASelectionOptions

    @Option(name: [.customShort("k"), .customLong("k")], help: "Top-k cut-offs for retrieval accuracy (with judgements: for recall), comma-separated.")
    var k = "1,5,20,100"

    @Flag(name: .customLong("gold-context"), help: "Read each question's own SQuAD paragraph (reader only, no retrieval).")
    var goldContext = false

    @Option(help: "Write per-question predictions as JSON lines.")
    var out: String?

    @Option(name: .customLong("squad-predictions"), help: "Write the official {id: answer} predictions file.")
    var squadPredictions: String?

    @Option(help: "Score this predictions file instead of running retrieval and reading.")
    var predictions: String?

    @Flag(name: .customLong("compare-scoring"), help: "Also score the answers every other span scoring rule gives (one reading pass).")
    var compareScoring = false

    @Flag(name: .customLong("adopt-best-scoring"),
          help: "With --compare-scoring: save the rule with the best exact match (ties: F1, then the reader's own) in the reader's folder, so ask and eval use it. Tune on a training-side slice (--split train --limit 500), not on the test side.")
    var adoptBestScoring = false

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @Option(name: .customLong("question-style"),
            help: "Ask the questions as written (asked) or as typed into a search engine (search: lower case, no question mark).")
    var questionStyle = QuestionStyle.asked.rawValue

    var cutoffs: [Int]? {
        let parts = k.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.isEmpty || parts.contains(where: { $0 == nil || $0! < 1 }) ? nil : parts.compactMap { $0 }
    }

    func validate() throws {
        try judged.validate(qa: qa)
        if cutoffs == nil { throw ValidationError("--k takes positive integers separated by commas, e.g. 1,5,20,100") }
        _ = try answering.spanScoringRule()
        if adoptBestScoring && !compareScoring { throw ValidationError("--adopt-best-scoring needs --compare-scoring") }
        if QuestionStyle(rawValue: questionStyle) == nil { throw ValidationError("--question-style takes asked or search") }
    }

    func run() throws {
        precisionOptions.apply(quiet: store.quiet)
        do { try evaluate() } catch let error as ValidationError { throw error } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
    }

    private func evaluate() throws {
        guard let qa else { return try evaluateJudged() }
        let style = QuestionStyle(rawValue: questionStyle)!
        let examples = try selection.load(qa, log: store.note).map { example in
            var example = example
            example.question = style.apply(to: example.question)
            return example
        }
        if let predictions {
            let totals = try PredictionFile(contentsOf: URL(fileURLWithPath: predictions)).score(examples)
            try printFigures(EvaluationFigures(questions: examples.count, answers: totals))
            return
        }
        let corpus = try store.openStore()
        let prompts = try answering.retrieval.prompts()
        let opened = try answering.openReader(corpus, prompts: prompts), reader = opened?.reader
        if reader == nil && goldContext { throw ValidationError("--gold-context needs a trained reader: run `quarry train reader` first") }
        if reader == nil && !store.quiet && !json {
            StandardError.write("note: no reader is trained yet (run `quarry train reader --qa FILE`): only retrieval is scored\n")
        }
        let retriever = goldContext ? nil : try answering.retrieval.openRetriever(corpus, prompts: prompts, quiet: store.quiet)
        let ks = cutoffs!
        let answerer = QuestionAnswerer(retriever: retriever, reader: reader, retrieveDepth: ks.max()!, readDepth: answering.readDepth(for: reader, fallback: 10))
        answerer.answerLimit = 1
        if compareScoring, let reader { answerer.comparedRules = SpanScoringTuning.comparedRules(reader.spanScoring, retrieved: retriever != nil) }
        var options = EvaluationOptions()
        options.ks = ks
        options.goldContext = goldContext
        let lines = try out.map { try JSONLinesWriter(path: $0) }
        var official = PredictionFile()
        let showsProgress = store.showsProgress
        var done = 0
        let report = try Evaluator(answerer: answerer, options: options).run(examples) { outcome in
            if squadPredictions != nil { official.byID[outcome.example.id] = outcome.prediction ?? "" }
            try lines?.write(OutcomeRecord(outcome))
            done += 1
            if showsProgress && (done % 10 == 0 || done == examples.count) { StandardError.write("\rquestion \(done)/\(examples.count)") }
        }
        if showsProgress { StandardError.write("\n") }
        try lines?.close()
        try squadPredictions.map(official.writeOfficial(to:))
        let figures = EvaluationFigures(report, answerer: answerer, readerName: opened?.name, goldContext: goldContext)
        if adoptBestScoring, let (reader, _, folder) = opened, let own = report.answers {
            try adoptBest(SpanScoringTuning.best(own: reader.spanScoring, ownTotals: own, compared: report.comparedAnswers),
                          own: (reader.spanScoring, own), folder: folder)
        }
        try printFigures(figures)
    }

    /// Saves the best rule in the reader's folder (under the store's writer lock) and says what changed.
    private func adoptBest(_ best: (rule: SpanScoringRule, totals: AnswerScoreTotals), own: (SpanScoringRule, AnswerScoreTotals),
                           folder: URL) throws {
        if selection.side == .test { store.note("note: tuning on the test side makes the test figures that follow optimistic") }
        guard best.rule != own.0 else { return store.note("span scoring: the reader's own rule \(own.0) is best; nothing changed") }
        let lock = try store.writerLock(for: "eval --adopt-best-scoring")
        defer { withExtendedLifetime(lock) {} }
        try ReaderLibrary.adoptSpanScoring(best.rule, inFolder: folder)
        StandardError.write(String(format: "span scoring of the reader in %@ set to %@ (exact match %.2f, was %.2f with %@)\n",
                                   folder.path, best.rule.description, best.totals.exactMatch, own.1.exactMatch, own.0.description))
    }

    private func printFigures(_ figures: EvaluationFigures) throws {
        if json { return try JSONOutput.print(figures) }
        figures.textLines.forEach { print($0) }
    }
}
