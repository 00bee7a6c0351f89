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

    @Option(help: "Side of the split (by article; by paragraph when the set has under 10 articles) to evaluate: train, test or all.")
    var split = "all"

    @Option(name: .customLong("test-share"), help: "Share of articles (or paragraphs) in the test side of the split.")
    var testShare = QASplit.defaultTestShare

    @Option(help: "Evaluate only the first N questions.")
    var limit: Int?

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
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
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
        let examples = try loadQuestions(qa, split: split, testShare: testShare, limit: limit, log: store.note).map { example in
            var example = example
            example.question = style.apply(to: example.question)
            return example
        }
        if let predictions {
            let totals = try PredictionFile(contentsOf: URL(fileURLWithPath: predictions)).score(examples)
            try printFigures(EvalJSON(questions: examples.count, em: totals.exactMatch, f1: totals.f1, answered: totals.answered))
            return
        }
        let corpus = try store.openStore()
        let prompts = try answering.retrieval.prompts()
        let reader = try answering.openReader(corpus, prompts: prompts)
        if reader == nil && goldContext { throw ValidationError("--gold-context needs a trained reader: run `quarry train reader` first") }
        if reader == nil && !store.quiet && !json {
            StandardError.write("note: no reader is trained yet (run `quarry train reader --qa FILE`): only retrieval is scored\n")
        }
        let retriever = goldContext ? nil : try answering.retrieval.openRetriever(corpus, prompts: prompts, quiet: store.quiet)
        let ks = cutoffs!
        let answerer = QuestionAnswerer(retriever: retriever, reader: reader, retrieveDepth: ks.max()!, readDepth: answering.readDepth(for: reader, fallback: 10))
        answerer.answerLimit = 1
        if compareScoring, let reader { answerer.comparedRules = Self.comparedRules(reader.spanScoring, retrieved: retriever != nil) }
        var options = EvaluationOptions()
        options.ks = ks
        options.goldContext = goldContext
        let lines = try out.map { try LineWriter(path: $0) }
        var official: [String: String] = [:]
        let showsProgress = store.showsProgress
        var done = 0
        let report = try Evaluator(answerer: answerer, options: options).run(examples) { outcome in
            if squadPredictions != nil { official[outcome.example.id] = outcome.prediction ?? "" }
            try lines?.write(OutcomeJSON(outcome))
            done += 1
            if showsProgress && (done % 10 == 0 || done == examples.count) { StandardError.write("\rquestion \(done)/\(examples.count)") }
        }
        if showsProgress { StandardError.write("\n") }
        try lines?.close()
        if let squadPredictions {
            let data = try JSONSerialization.data(withJSONObject: official, options: [.sortedKeys])
            try data.write(to: URL(fileURLWithPath: squadPredictions), options: .atomic)
        }
        var figures = EvalJSON(questions: report.questions, em: report.answers?.exactMatch, f1: report.answers?.f1,
                               answered: report.answers?.answered)
        if let retrieval = report.retrieval {
            figures.top_k = Dictionary(uniqueKeysWithValues: retrieval.percentages.map { ("\($0.key)", $0.value) })
        }
        figures.questions_per_second = report.questionsPerSecond
        figures.seconds = report.seconds
        figures.retriever = retriever?.name
        figures.retriever_cache = retriever?.cacheName
        if reader != nil { figures.reader = try answering.reader ?? ReaderLibrary(store: corpus).defaultRecord()?.name }
        figures.gold_context = goldContext
        if let reader {
            figures.span_scoring = reader.spanScoring.description
            if !goldContext { figures.read = answerer.readDepth }
            if compareScoring {
                figures.by_span_scoring = Dictionary(uniqueKeysWithValues: report.comparedAnswers.map {
                    ($0.key.description, ScoringFigures(em: $0.value.exactMatch, f1: $0.value.f1))
                })
                figures.by_span_scoring?[reader.spanScoring.description] = report.answers.map { ScoringFigures(em: $0.exactMatch, f1: $0.f1) }
                if adoptBestScoring { try adoptBest(figures.by_span_scoring ?? [:], reader: reader, corpus: corpus) }
            }
        }
        try printFigures(figures)
    }

    /// The other base rules, and, when passages come from a retriever, the reader's rule mixed with the
    /// retrieval score at several weights.
    static func comparedRules(_ own: SpanScoringRule, retrieved: Bool) -> [SpanScoringRule] {
        var rules = SpanScoringRule.all.map { $0.withRetrievalWeight(own.retrievalWeight) }
        if retrieved { rules += ([0] + SpanScoringRule.comparedRetrievalWeights).map { own.withRetrievalWeight($0) } }
        var seen: Set<SpanScoringRule> = [own]
        return rules.filter { seen.insert($0).inserted }
    }

    /// Writes the best-scoring rule into the reader's folder (under the store's writer lock).
    private func adoptBest(_ figures: [String: ScoringFigures], reader: ExtractiveReader, corpus: CorpusStore) throws {
        let own = reader.spanScoring.description
        guard let best = figures.max(by: { a, b in
            (a.value.em, a.value.f1, a.key == own ? 1 : 0) < (b.value.em, b.value.f1, b.key == own ? 1 : 0)
        }), let rule = SpanScoringRule(best.key) else { return }
        if split == "test" { store.note("note: tuning on the test side makes the test figures that follow optimistic") }
        guard rule != reader.spanScoring else {
            store.note("span scoring: the reader's own rule \(own) is best; nothing changed")
            return
        }
        let lock = try store.writerLock(for: "eval --adopt-best-scoring")
        defer { withExtendedLifetime(lock) {} }
        let library = ReaderLibrary(store: corpus)
        let folder: URL
        if let name = answering.reader {
            folder = try library.folder(ofNameOrPath: name)
        } else if let record = try library.defaultRecord() {
            folder = URL(fileURLWithPath: record.path)
        } else { return }
        var configuration = try ExtractiveReader.savedConfiguration(in: folder)
        configuration.spanScoring = rule
        try ExtractiveReader.saveConfiguration(configuration, in: folder)
        StandardError.write(String(format: "span scoring of the reader in %@ set to %@ (exact match %.2f, was %.2f with %@)\n",
                                   folder.path, rule.description, best.value.em, figures[own]?.em ?? 0, own))
    }

    private func printFigures(_ figures: EvalJSON) throws {
        if json { try JSONOutput.print(figures); return }
        print("questions: \(figures.questions)")
        if let em = figures.em, let f1 = figures.f1 {
            print(String(format: "exact match: %.2f   F1: %.2f", em, f1) + (figures.read.map { "   (\($0) passages read per question)" } ?? ""))
        } else {
            print("exact match: -   F1: -   (no reader)")
        }
        if let topK = figures.top_k {
            let text = topK.sorted { Int($0.key)! < Int($1.key)! }.map { "top-\($0.key) " + String(format: "%.2f", $0.value) }
            let cache = figures.retriever_cache.map { ", cache \($0)" } ?? ""
            print("retrieval (\(figures.retriever ?? "-")\(cache)): " + text.joined(separator: "   "))
        }
        for (rule, scores) in (figures.by_span_scoring ?? [:]).sorted(by: { $0.key < $1.key }) {
            print(String(format: "  span scoring %@: exact match %.2f   F1 %.2f", rule, scores.em, scores.f1))
        }
        if let rate = figures.questions_per_second, let seconds = figures.seconds {
            print(String(format: "%.2f questions/s (%.1f s)", rate, seconds))
        }
    }
}

/// The figures as `eval --json` prints them (percentages).
struct EvalJSON: Encodable {
    var questions: Int
    var em: Double?
    var f1: Double?
    var answered: Int?
    var top_k: [String: Double]?
    var questions_per_second: Double?
    var seconds: Double?
    var retriever: String?
    /// The embedding cache that answered: for a trained retriever, its served cache (`retriever-NAME`) or,
    /// asked for as `NAME:corrected`, the corrected one.
    var retriever_cache: String?
    var reader: String?
    var gold_context: Bool?
    var span_scoring: String?
    /// Passages the reader read per question (`--read`, else the reader's own).
    var read: Int?
    var by_span_scoring: [String: ScoringFigures]?

    init(questions: Int, em: Double?, f1: Double?, answered: Int?) {
        self.questions = questions; self.em = em; self.f1 = f1; self.answered = answered
    }

    // em, f1 and top_k are always present (null when not measured), as scripts read them.
    enum CodingKeys: String, CodingKey {
        case questions, em, f1, answered, top_k, questions_per_second, seconds, retriever, retriever_cache, reader, gold_context,
             span_scoring, read, by_span_scoring
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(questions, forKey: .questions)
        try c.encode(em, forKey: .em)
        try c.encode(f1, forKey: .f1)
        try c.encode(top_k, forKey: .top_k)
        try c.encodeIfPresent(answered, forKey: .answered)
        try c.encodeIfPresent(questions_per_second, forKey: .questions_per_second)
        try c.encodeIfPresent(seconds, forKey: .seconds)
        try c.encodeIfPresent(retriever, forKey: .retriever)
        try c.encodeIfPresent(retriever_cache, forKey: .retriever_cache)
        try c.encodeIfPresent(reader, forKey: .reader)
        try c.encodeIfPresent(gold_context, forKey: .gold_context)
        try c.encodeIfPresent(span_scoring, forKey: .span_scoring)
        try c.encodeIfPresent(read, forKey: .read)
        try c.encodeIfPresent(by_span_scoring, forKey: .by_span_scoring)
    }
}

/// EM and F1 under one span scoring rule (`--compare-scoring`).
struct ScoringFigures: Encodable {
    var em: Double
    var f1: Double
}

/// One question's outcome as `--out` writes it.
struct OutcomeJSON: Encodable {
    var id: String
    var question: String
    var answer: String?
    var gold: [String]
    var em: Double?
    var f1: Double?
    var score: Double?
    var title: String?
    var passage_id: Int64?
    var first_hit_rank: Int?
    var passages: [Int64]

    init(_ outcome: QuestionOutcome) {
        id = outcome.example.id
        question = outcome.example.question
        answer = outcome.prediction
        gold = outcome.example.answers
        em = outcome.exactMatch
        f1 = outcome.f1
        score = outcome.result.answers.first?.logScore
        title = outcome.result.answers.first?.passage.title
        passage_id = outcome.result.answers.first?.passage.passageID
        first_hit_rank = outcome.firstHitRank
        passages = outcome.result.retrieved.map(\.passageID)
    }
}

/// Writes Encodable values as JSON lines, buffered.
final class LineWriter {
    private let handle: FileHandle
    private var buffer = Data()
    private let encoder = JSONEncoder()

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    func write<T: Encodable>(_ value: T) throws {
        buffer.append(try encoder.encode(value))
        buffer.append(0x0A)
        if buffer.count > 1 << 20 { try flush() }
    }

    func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}
