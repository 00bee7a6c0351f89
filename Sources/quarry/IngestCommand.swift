import ArgumentParser
import Foundation
import QuarryIngest
import QuarryStore

extension DocumentFormat: ExpressibleByArgument {}

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read dumps and corpora into the passage store and its BM25 index.",
        discussion: """
            Re-running an ingest adds nothing new; a document whose content changed gets its passages replaced. \
            An interrupted ingest can simply be run again. Documents are identified by their source and their id \
            within it. The source is --source when given; else the collection the input names (a MediaWiki dump's \
            wiki, "mediawiki:<dbname>", so next month's dump of the same wiki updates the same pages whatever the \
            file is called); else the input's absolute path. A file whose documents are already stored under its path \
            (ingested before dumps were identified by their wiki) keeps that identity. Each input's line says which.

            An input whose first new documents are mostly stored already under another source is refused before \
            anything is written (the same documents under a new identity); --source or --allow-duplicates decides.

            --prune removes the documents of each source that its inputs no longer hold, after they were all read \
            without error. It is never implicit: a partial dump must not delete the rest. Dense caches see the \
            removed passages and `quarry embed` brings them up to date.

            \(StoreOptions.writerLockHelp)
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Input files or directories.")
    var paths: [String]

    @Option(help: "Input format: \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: DocumentFormat = .auto

    @Option(name: .customLong("passage-words"), help: "Words per passage.")
    var passageWords = 100

    @Option(help: "Words between passage starts (default: the passage length, no overlap).")
    var stride: Int?

    @Option(help: "MediaWiki namespaces to keep, comma-separated.")
    var namespaces = "0"

    @Flag(name: .customLong("keep-going"), help: "Skip bad documents, report them, and carry on.")
    var keepGoing = false

    @Option(name: .customLong("doc-element"), help: "Generic XML: the element holding one document.")
    var documentElement: String?

    @Option(name: .customLong("title-element"), help: "Generic XML: the element holding the title.")
    var titleElement: String?

    @Option(name: .customLong("text-element"), help: "Generic XML: an element holding text (repeatable).")
    var textElements: [String] = []

    @Option(name: .customLong("id-element"), help: "Generic XML: the element holding the document id.")
    var idElement: String?

    @Option(help: "Source name to store documents under instead of the input's path (one input only).")
    var source: String?

    @Flag(help: "Remove documents of the ingested sources that these inputs no longer hold.")
    var prune = false

    @Flag(name: .customLong("allow-duplicates"),
          help: "Store documents already stored under another source as a second copy instead of refusing.")
    var allowDuplicates = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Option(name: .customLong("batch-documents"), help: .hidden)
    var batchDocuments = 5_000

    func validate() throws {
        if source != nil && paths.count > 1 { throw ValidationError("--source names one input; give one path") }
        if parsedNamespaces == nil { throw ValidationError("--namespaces takes integers separated by commas") }
    }

    private var parsedNamespaces: Set<Int>? {
        let parts = namespaces.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) || parts.isEmpty ? nil : Set(parts.compactMap { $0 })
    }

    private var readerOptions: ReaderOptions {
        var options = ReaderOptions()
        options.namespaces = parsedNamespaces ?? [0]
        options.keepGoing = keepGoing
        options.documentElement = documentElement
        options.titleElement = titleElement
        options.textElements = textElements
        options.idElement = idElement
        return options
    }

    func run() throws {
        let splitter: PassageSplitter
        do {
            splitter = try PassageSplitter(words: passageWords, stride: stride)
        } catch {
            throw ValidationError("\(error)")
        }
        let lock = try store.writerLock(for: "ingest")
        defer { withExtendedLifetime(lock) {} }
        let pipeline = IngestPipeline(store: try store.openStore(), splitter: splitter)
        pipeline.batchDocuments = max(1, batchDocuments)
        pipeline.allowsDuplicates = allowDuplicates
        pipeline.recordsDocumentIDs = prune
        var total = IngestSummary()
        var sources: [String] = []
        for (index, path) in paths.enumerated() {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            do {
                let (summary, source) = try ingest(url, with: pipeline)
                total.add(summary)
                if !sources.contains(source) { sources.append(source) }
            } catch {
                // An IngestFailure's description also says what was committed from this input.
                StandardError.write("error: \(error)\n")
                if index > 0 { StandardError.write("the \(index) input(s) before it were ingested completely\n") }
                throw ExitCode.failure
            }
        }
        if prune { total.add(try pruneAbsentDocuments(of: sources, with: pipeline)) }
        try report(total, sources: sources)
    }

    private func ingest(_ url: URL, with pipeline: IngestPipeline) throws -> (IngestSummary, source: String) {
        let reader = try DocumentReaders.open(url: url, format: format, options: readerOptions)
        let identity = try documentSource(of: url, reader: reader, in: pipeline.store)
        if !store.quiet && !json { StandardError.write("\(url.path): documents go under \(identity.explanation)\n") }
        var line = ProgressLine()
        defer { line.finish() }
        let progress: ((IngestProgress) -> Void)? = store.showsProgress ? { line.show($0.progressText) } : nil
        let summary = try pipeline.ingest(reader, source: identity.source, file: url.path,
                                          totalBytes: DocumentReaders.inputSize(url), progress: progress)
        return (summary, identity.source)
    }

    /// The source an input's documents are stored under, and why, for the line each input gets. A store
    /// that holds this very file under its path (ingested before dumps were identified by their wiki) keeps
    /// that identity, so re-running the same ingest still updates in place.
    private func documentSource(of url: URL, reader: DocumentReader, in store: CorpusStore) throws -> (source: String, explanation: String) {
        if let source { return (source, "the source \"\(source)\" (--source)") }
        if let collection = reader.collection {
            if try !store.holdsDocuments(source: collection.source), try store.holdsDocuments(source: url.path) {
                return (url.path, "the source \"\(url.path)\" (the input's path, where its documents are stored already)")
            }
            return (collection.source, "the source \"\(collection.source)\" (\(collection.origin)), whatever the file is called")
        }
        return (url.path, "the source \"\(url.path)\" (the input's path; --source names it otherwise)")
    }

    private func pruneAbsentDocuments(of sources: [String], with pipeline: IngestPipeline) throws -> IngestSummary {
        var pruned = IngestSummary()
        for source in sources {
            guard !pipeline.incompletelyReadSources.contains(source) else {
                StandardError.write("warning: nothing pruned from \"\(source)\": records were skipped as malformed, so the input may still hold the documents missing from it\n")
                continue
            }
            pruned.add(try pipeline.prune(source: source))
        }
        return pruned
    }

    private func report(_ summary: IngestSummary, sources: [String]) throws {
        if json {
            try JSONOutput.print(IngestSummaryRecord(summary, files: paths.count, sources: sources))
            return
        }
        for (other, count) in summary.duplicatesElsewhere.sorted(by: { $0.key < $1.key }) {
            StandardError.write("note: \(count) new document(s) were already stored, unchanged, under the source \"\(other)\"\n")
        }
        if !summary.problems.isEmpty {
            for problem in summary.problems.prefix(20) { StandardError.write("skipped: \(problem)\n") }
            if summary.problems.count > 20 { StandardError.write("… and \(summary.problems.count - 20) more\n") }
        }
        guard !store.quiet else { return }
        let skipped = summary.skipped.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")
        print("""
            \(summary.pagesRead) pages read from \(paths.count) input(s)\(skipped.isEmpty ? "" : "; skipped: \(skipped)")
            \(summary.writtenDescription)
            \(Format.megabytes(summary.bytesRead)) in \(String(format: "%.1f", summary.seconds)) s: \
            \(Format.rate(summary.bytesRead > 0 ? Double(summary.bytesRead) / max(summary.seconds, 1e-9) : 0)), \
            \(Int(summary.passagesPerSecond)) passages/s
            """)
    }
}
