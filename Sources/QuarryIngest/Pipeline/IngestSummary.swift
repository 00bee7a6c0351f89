import Foundation

/// What an ingest did, for one input or summed over several.
public struct IngestSummary: Equatable, Sendable {
    /// Records the readers met: documents handed out plus records they skipped.
    public var pagesRead = 0
    /// Records not stored, by reason (the readers' reasons plus `.empty` for documents without words).
    public var skipped: [SkipReason: Int] = [:]
    public var documentsNew = 0
    public var documentsChanged = 0
    public var documentsUnchanged = 0
    public var passagesAdded = 0
    /// Passages of changed documents that were replaced.
    public var passagesRemoved = 0
    /// New documents whose content was already stored under another source, by that source.
    public var duplicatesElsewhere: [String: Int] = [:]
    /// Documents (and their passages) removed because the input no longer holds them (`--prune`).
    public var documentsPruned = 0
    public var passagesPruned = 0
    /// Input bytes consumed (compressed bytes for compressed inputs).
    public var bytesRead: Int64 = 0
    public var seconds: Double = 0
    /// Bad records passed over with `keepGoing`, located.
    public var problems: [String] = []

    public init() {}

    public var megabytesPerSecond: Double {
        seconds > 0 ? Double(bytesRead) / 1_048_576 / seconds : 0
    }

    public var passagesPerSecond: Double {
        seconds > 0 ? Double(passagesAdded) / seconds : 0
    }

    /// Adds another input's figures to these.
    public mutating func add(_ other: IngestSummary) {
        pagesRead += other.pagesRead
        skipped.merge(other.skipped, uniquingKeysWith: +)
        documentsNew += other.documentsNew
        documentsChanged += other.documentsChanged
        documentsUnchanged += other.documentsUnchanged
        passagesAdded += other.passagesAdded
        passagesRemoved += other.passagesRemoved
        duplicatesElsewhere.merge(other.duplicatesElsewhere, uniquingKeysWith: +)
        documentsPruned += other.documentsPruned
        passagesPruned += other.passagesPruned
        bytesRead += other.bytesRead
        seconds += other.seconds
        problems += other.problems
    }

    /// "1,200 new, 3 changed, 40 unchanged documents; 9,000 passages" — the part of a summary that says
    /// what was written.
    public var writtenDescription: String {
        "\(documentsNew) new, \(documentsChanged) changed, \(documentsUnchanged) unchanged documents; "
            + "\(passagesAdded) passages added, \(passagesRemoved) replaced"
            + (documentsPruned > 0 ? "; \(documentsPruned) documents no longer in the input removed (\(passagesPruned) passages)" : "")
    }
}

/// Where an ingest stands, reported while it runs.
public struct IngestProgress: Sendable {
    public var file: String
    public var bytesRead: Int64
    /// Size of the input when known (for the ETA).
    public var totalBytes: Int64?
    public var pagesRead: Int
    public var passages: Int
    public var seconds: Double

    public var passagesPerSecond: Double { seconds > 0 ? Double(passages) / seconds : 0 }
    public var bytesPerSecond: Double { seconds > 0 ? Double(bytesRead) / seconds : 0 }

    /// Seconds left at the current rate, when the input size is known.
    public var secondsRemaining: Double? {
        guard let totalBytes, bytesRead > 0, bytesPerSecond > 0 else { return nil }
        return Double(max(0, totalBytes - bytesRead)) / bytesPerSecond
    }
}

/// An ingest stopped by an error, saying what had been committed before it.
public struct IngestFailure: Error, CustomStringConvertible {
    /// The reader's or the store's error.
    public var underlying: Error
    /// Everything committed up to the error (the document in flight is not part of it).
    public var committed: IngestSummary
    public var file: String

    public var description: String {
        "\(underlying)\ncommitted from \(file) before the error: \(committed.writtenDescription)"
    }
}

/// An input stopped before anything was written because most of its first batch of new documents is
/// already stored, unchanged, under one other source: the same documents under a new identity (a dump
/// renamed or moved, or ingested before Quarry identified MediaWiki dumps by their wiki).
public struct DuplicateSourceError: Error, CustomStringConvertible {
    public var file: String
    public var source: String
    public var otherSource: String
    public var duplicates: Int
    public var newDocuments: Int

    /// The refusal a first batch earns: when at least half its new documents (and at least one) are
    /// stored under one other source. Fewer are only counted (`IngestSummary.duplicatesElsewhere`): two
    /// collections may share a few documents.
    static func refuses(_ batch: IngestSummary, file: String, source: String) -> DuplicateSourceError? {
        guard let (other, count) = batch.duplicatesElsewhere.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
              count * 2 >= batch.documentsNew else { return nil }
        return DuplicateSourceError(file: file, source: source, otherSource: other, duplicates: count,
                                    newDocuments: batch.documentsNew)
    }

    public var description: String {
        "\(file): \(duplicates) of the first \(newDocuments) new documents are already stored, unchanged, under the source "
            + "\"\(otherSource)\", but this input's documents go under \"\(source)\": ingesting would store them twice. "
            + "Nothing was written. Give --source \"\(otherSource)\" to update the stored documents in place, "
            + "or --allow-duplicates to keep both copies."
    }
}

/// The ingest summary as `--json` prints it.
public struct IngestSummaryRecord: Encodable, Sendable {
    var files: Int
    var pages_read: Int
    var skipped: [String: Int]
    var documents_new: Int
    var documents_changed: Int
    var documents_unchanged: Int
    var passages_added: Int
    var passages_replaced: Int
    var documents_removed: Int
    var passages_removed: Int
    var duplicates_elsewhere: [String: Int]
    var sources: [String]
    var bytes_read: Int64
    var seconds: Double
    var mb_per_second: Double
    var passages_per_second: Double
    var problems: [String]

    public init(_ summary: IngestSummary, files: Int, sources: [String]) {
        self.sources = sources
        self.files = files
        pages_read = summary.pagesRead
        skipped = Dictionary(uniqueKeysWithValues: summary.skipped.map { ($0.key.rawValue, $0.value) })
        documents_new = summary.documentsNew
        documents_changed = summary.documentsChanged
        documents_unchanged = summary.documentsUnchanged
        passages_added = summary.passagesAdded
        passages_replaced = summary.passagesRemoved
        documents_removed = summary.documentsPruned
        passages_removed = summary.passagesPruned
        duplicates_elsewhere = summary.duplicatesElsewhere
        bytes_read = summary.bytesRead
        seconds = summary.seconds
        mb_per_second = summary.megabytesPerSecond
        passages_per_second = summary.passagesPerSecond
        problems = summary.problems
    }
}
