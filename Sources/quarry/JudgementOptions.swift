import ArgumentParser
import Foundation
import QuarryText

/// Where a test collection's queries and relevance judgements come from (`eval`, `train retriever`):
/// `--qrels FILE --queries FILE`, or a BEIR folder as it ships.
struct JudgementOptions: ParsableArguments {
    @Option(help: "Relevance judgements: TREC qrels (qid 0 docid grade) or a BEIR qrels TSV (query-id corpus-id score).")
    var qrels: String?

    @Option(help: "The judged queries: TSV (qid<TAB>text), JSON lines (_id, text) or TREC topics (<top><num><title>…).")
    var queries: String?

    @Option(help: "A BEIR folder: queries.jsonl and qrels/<--beir-split>.tsv (ingest its corpus.jsonl with --format jsonl first).")
    var beir: String?

    @Option(name: .customLong("beir-split"), help: "The qrels file of the BEIR folder: test, dev or train.")
    var beirSplit = "test"

    @Option(name: .customLong("topic-field"), help: "The query text of a TREC topic: title, description or title+description.")
    var topicField = "title"

    @Flag(name: .customLong("renumber-queries"),
          help: "Number the queries 1, 2, … in file order instead of using their ids (Cranfield's qrels number its topics so).")
    var renumberQueries = false

    var isGiven: Bool { qrels != nil || queries != nil || beir != nil }

    func validate() throws {
        if beir != nil && (qrels != nil || queries != nil) { throw ValidationError("--beir DIR replaces --qrels and --queries: give one or the other") }
        if beir == nil && (qrels == nil) != (queries == nil) { throw ValidationError("--qrels and --queries go together") }
        if TopicField(rawValue: topicField) == nil { throw ValidationError("--topic-field takes title, description or title+description") }
    }

    /// The files to read: the options as given, or the BEIR folder's.
    private var files: (queries: URL, qrels: URL) {
        if let beir {
            let folder = URL(fileURLWithPath: beir)
            return (folder.appendingPathComponent("queries.jsonl"), folder.appendingPathComponent("qrels/\(beirSplit).tsv"))
        }
        return (URL(fileURLWithPath: queries!), URL(fileURLWithPath: qrels!))
    }

    /// The judged queries, in file order, and their judgements. Queries without any judgement are left out (a BEIR
    /// queries.jsonl holds every split's queries); `note` says how many, and how many judged queries have no text.
    func load(note: (String) -> Void) throws -> JudgedQuerySet {
        let (queryURL, qrelsURL) = files
        let judgements = try RelevanceJudgements(contentsOf: qrelsURL)
        let all = try QueryFile(field: TopicField(rawValue: topicField)!, renumber: renumberQueries).read(queryURL)
        let judged = all.filter { judgements.grades[$0.id] != nil }
        let missing = Set(judgements.grades.keys).subtracting(all.map(\.id)).count
        note("\(qrelsURL.path): \(judgements.grades.count) judged queries; \(judged.count) of the \(all.count) in \(queryURL.path) are judged"
             + (missing > 0 ? "; \(missing) judged queries have no text there (left out)" : ""))
        if judged.isEmpty {
            throw ValidationError("no query of \(queryURL.path) has a judgement in \(qrelsURL.path): do the ids match? (Cranfield needs --renumber-queries)")
        }
        return JudgedQuerySet(queries: judged, judgements: judgements, source: "qrels \(qrelsURL.path), queries \(queryURL.path)")
    }
}

/// `eval`'s options for scoring against relevance judgements.
struct JudgedEvaluationOptionGroup: ParsableArguments {
    @OptionGroup var judgements: JudgementOptions

    @Option(help: "With judgements: write the document ranking as a TREC run file (qid Q0 docid rank score tag).")
    var run: String?

    @Option(name: .customLong("run-tag"), help: "The run file's last column (default: the retriever's name).")
    var runTag: String?

    /// One source of questions: a QA set, or judgements.
    func validate(qa: String?) throws {
        try judgements.validate()
        if qa != nil && judgements.isGiven { throw ValidationError("--qa and --qrels/--queries/--beir are two kinds of evaluation: give one") }
        if qa == nil && !judgements.isGiven { throw ValidationError("give --qa FILE, or --qrels FILE --queries FILE, or --beir DIR") }
        if run != nil && !judgements.isGiven { throw ValidationError("--run writes document rankings: it needs --qrels/--queries or --beir") }
    }
}
