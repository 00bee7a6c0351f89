import ArgumentParser
import Foundation
import QuarryQA
import QuarryRetrieval
import QuarryStore
import QuarryText

/// Options of the commands that retrieve: templates and retriever (`ask`, `eval`, `train reader`).
struct RetrievalOptions: ParsableArguments {
    @Option(help: "Retriever: bm25, an embedding cache or trained retriever name (NAME:corrected: the cache it sampled from; default: dense when it exists, else bm25), hybrid, or hybrid:NAME.")
    var retriever: String?

    @Option(name: .customLong("prompts"), help: "Folder of prompt templates (default: $QUARRY_PROMPTS, else ./prompts, else built in).")
    var promptsDirectory: String?

    func prompts() throws -> Prompts {
        try Prompts.load(from: promptsDirectory.map { URL(fileURLWithPath: $0) })
    }

    func openRetriever(_ store: CorpusStore, prompts: Prompts, quiet: Bool) throws -> any Retriever {
        let note = { (line: String) in if !quiet { StandardError.write("note: \(line)\n") } }
        let opened = try RetrieverChoice(parsing: retriever).open(store: store, prompts: prompts, note: note)
        opened.warnings.forEach(note)
        return opened
    }
}

/// Options of the commands that answer (`ask`, `eval`): retrieval, then the reader and its span scoring.
struct AnsweringOptions: ParsableArguments {
    @OptionGroup var retrieval: RetrievalOptions

    @Option(help: "Reader name, or a reader folder such as another store's <db>.readers/NAME (default: the reader called \"reader\", else the last one trained); none: retrieval only.")
    var reader: String?

    @Option(name: .customLong("span-scoring"),
            help: "How spans are scored across passages: window, window+relevance, shared or shared+relevance, optionally +retrieval:W to add W times the passage's standardised retrieval score (default: the reader's rule).")
    var spanScoring: String?

    @Option(help: "Retrieved passages the reader reads per question (default: as many as the reader was trained to read, recorded with it; 10 for older readers).")
    var read: Int?

    func validate() throws {
        if let read, read < 1 { throw ValidationError("--read must be at least 1") }
    }

    /// Passages read per question: `--read`, else what `reader` was trained to read, else `fallback`.
    func readDepth(for reader: ExtractiveReader?, fallback: Int) -> Int {
        read ?? reader?.readPassages ?? fallback
    }

    func openReader(_ store: CorpusStore, prompts: Prompts) throws -> (reader: ExtractiveReader, name: String, folder: URL)? {
        guard reader != "none", let (name, folder) = try ReaderLibrary(store: store).locate(reader) else { return nil }
        let opened = try ExtractiveReader(folder: folder, prompts: prompts)
        if let rule = try spanScoringRule() { opened.spanScoring = rule }
        return (opened, name, folder)
    }

    /// The rule `--span-scoring` names, if given.
    func spanScoringRule() throws -> SpanScoringRule? {
        guard let spanScoring else { return nil }
        guard let rule = SpanScoringRule(spanScoring) else {
            throw ValidationError("--span-scoring takes window, window+relevance, shared or shared+relevance, not \"\(spanScoring)\"")
        }
        return rule
    }
}

/// The model folder to start from: `--model`, else $QUARRY_MODEL, else models/all-MiniLM-L6-v2.
func modelFolder(_ option: String?) throws -> URL {
    let path = option ?? ProcessInfo.processInfo.environment["QUARRY_MODEL"] ?? "models/all-MiniLM-L6-v2"
    let url = URL(fileURLWithPath: path)
    guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
        throw ValidationError("no model folder at \(url.path) (config.json missing): pass --model DIR or fetch all-MiniLM-L6-v2 with scripts/fetch-model")
    }
    return url
}

/// Which questions of a QA set a command uses (`eval`, `train reader`): one side of its split and at most N.
struct QASelectionOptions: ParsableArguments {
    @Option(help: "Side of the split (by article; by paragraph when the set has under 10 articles) to use: train, test or all.")
    var split = "all"

    @Option(name: .customLong("test-share"), help: "Share of articles (or paragraphs) in the test side of the split.")
    var testShare = QASplit.defaultTestShare

    @Option(help: "Use only the first N questions (of each set, after the split).")
    var limit: Int?

    func validate() throws {
        _ = try splitSide(split, option: "--split")
        if !(0...1).contains(testShare) { throw ValidationError("--test-share must lie in [0, 1]") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    /// The side `--split` names; nil for all.
    var side: QASplit? { QASplit(rawValue: split) }

    /// Reads a QA set, the side of its split chosen (by article, or by paragraph when it has too few
    /// articles: `QASplitPlan`, whose choice goes to `log`), then the first `limit` questions.
    func load(_ path: String, log: (String) -> Void) throws -> [QAExample] {
        var examples = try QASetReader().read(URL(fileURLWithPath: path)).examples
        if let side {
            let plan = QASplitPlan(examples, testShare: testShare)
            log("\(path): \(plan.summary(of: examples))")
            examples = plan.select(side, from: examples)
        }
        if let limit { examples = Array(examples.prefix(limit)) }
        return examples
    }
}

/// The side a `--split`-like option names; nil for `all`.
func splitSide(_ value: String, option: String) throws -> QASplit? {
    if value == "all" { return nil }
    guard let side = QASplit(rawValue: value) else { throw ValidationError("\(option) takes train, test or all, not \"\(value)\"") }
    return side
}
