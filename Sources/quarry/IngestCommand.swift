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
            An interrupted ingest can simply be run again. Documents are identified by their source (the input's \
            absolute path, or --source) and their id within it.

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
        var total = IngestSummary()
        for (index, path) in paths.enumerated() {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            do {
                total.add(try ingest(url, with: pipeline))
            } catch {
                // An IngestFailure's description also says what was committed from this input.
                StandardError.write("error: \(error)\n")
                if index > 0 { StandardError.write("the \(index) input(s) before it were ingested completely\n") }
                throw ExitCode.failure
            }
        }
        try report(total)
    }

    private func ingest(_ url: URL, with pipeline: IngestPipeline) throws -> IngestSummary {
        let reader = try DocumentReaders.open(url: url, format: format, options: readerOptions)
        var line = ProgressLine()
        defer { line.finish() }
        let progress: ((IngestProgress) -> Void)? = store.showsProgress ? { line.show($0.progressText) } : nil
        return try pipeline.ingest(reader, source: source ?? url.path, file: url.path,
                                   totalBytes: DocumentReaders.inputSize(url), progress: progress)
    }

    private func report(_ summary: IngestSummary) throws {
        if json {
            try JSONOutput.print(IngestSummaryRecord(summary, files: paths.count))
            return
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
