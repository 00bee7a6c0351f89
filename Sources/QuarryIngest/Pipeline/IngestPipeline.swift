import Dispatch
import Foundation
import QuarryStore

/// Streams documents from a reader into the store: hashes each one, splits it into passages and writes
/// them in large transactions. Reading (parsing, decompression, splitting) runs on the calling thread while
/// the previous batch is written on another, so the two overlap on a multi-core machine.
///
/// Guarantees: a document is stored whole or not at all; a document already stored with the same content
/// hash is left alone, a changed one has its passages replaced; a crash at any moment loses at most the
/// uncommitted batches, and running the same ingest again completes the job.
public final class IngestPipeline {
    public let store: CorpusStore
    public let splitter: PassageSplitter
    /// A batch is committed when it holds this many documents…
    public var batchDocuments = 5_000
    /// …or this many bytes of passage text, whichever comes first. Up to three batches are alive at once
    /// (one filling, two queued for the writer): at 32 MB a 200 MB dump peaked just over 200 MB resident.
    public var batchBytes = 16 << 20
    /// How often `progress` is called, in seconds.
    public var progressInterval = 0.5
    /// Store an input whose first batch is mostly stored already under another source anyway (off: such an
    /// ingest stops before writing, with `DuplicateSourceError`; see `DuplicateSourceError.refuses`).
    public var allowsDuplicates = false
    /// Keep the external ids of every document read, by source, for `prune(source:)`.
    public var recordsDocumentIDs = false
    /// The external ids read so far, by source (only with `recordsDocumentIDs`).
    public private(set) var documentIDs: [String: Set<String>] = [:]
    /// Sources one of whose inputs had records skipped as malformed: what those records held is unknown,
    /// so pruning them would remove documents the input may still contain.
    public private(set) var incompletelyReadSources: Set<String> = []

    public init(store: CorpusStore, splitter: PassageSplitter) {
        self.store = store
        self.splitter = splitter
    }

    /// Ingests everything `reader` yields under the source name `source` (documents are identified by
    /// source and external id). `file` names the input in errors; `totalBytes` enables the ETA.
    /// Throws `IngestFailure`, after committing the documents read before the error.
    public func ingest(_ reader: DocumentReader, source: String, file: String, totalBytes: Int64? = nil,
                       progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        let started = Date()
        let writer = BatchWriter(store: store, source: source, file: file, allowsDuplicates: allowsDuplicates)
        var idsRead = Set<String>()
        var batch = PendingBatch()
        var emptyDocuments = 0
        var documentsRead = 0
        var passagesRead = 0
        var lastReport = started

        func report(force: Bool) {
            guard let progress else { return }
            let now = Date()
            guard force || now.timeIntervalSince(lastReport) >= progressInterval else { return }
            lastReport = now
            progress(IngestProgress(file: file, bytesRead: reader.bytesRead, totalBytes: totalBytes,
                                    pagesRead: documentsRead + reader.skipped.values.reduce(0, +),
                                    passages: passagesRead, seconds: now.timeIntervalSince(started)))
        }

        func summary() -> IngestSummary {
            var summary = writer.committed
            summary.pagesRead = documentsRead + reader.skipped.values.reduce(0, +)
            summary.skipped = reader.skipped
            if emptyDocuments > 0 { summary.skipped[.empty, default: 0] += emptyDocuments }
            summary.bytesRead = reader.bytesRead
            summary.seconds = Date().timeIntervalSince(started)
            summary.problems = (reader as? ProblemReporting)?.problems.map(\.description) ?? []
            return summary
        }

        do {
            while let document = try reader.next() {
                documentsRead += 1
                let passages = splitter.passages(of: document.sections)
                if passages.isEmpty {
                    emptyDocuments += 1
                    continue
                }
                passagesRead += passages.count
                if recordsDocumentIDs { idsRead.insert(document.externalID) }
                batch.append(PreparedDocument(
                    externalID: document.externalID, title: document.title,
                    contentHash: ContentHash.of(title: document.title, sections: document.sections, splitter: splitter),
                    passages: passages))
                if batch.documents.count >= batchDocuments || batch.bytes >= batchBytes {
                    try writer.submit(batch)
                    batch = PendingBatch()
                }
                report(force: false)
            }
            try writer.submit(batch)
            try writer.drain()
        } catch {
            // Commit what was read before the error; the document in flight never reached the batch.
            var failure = error
            do {
                try writer.submit(batch)
                try writer.drain()
            } catch let writeError {
                failure = writeError
            }
            throw IngestFailure(underlying: failure, committed: summary(), file: file)
        }
        report(force: true)
        if recordsDocumentIDs {
            documentIDs[source, default: []].formUnion(idsRead)
            if reader.skipped[.malformed, default: 0] > 0 { incompletelyReadSources.insert(source) }
        }
        return summary()
    }

    /// Removes, in one transaction, the documents of `source` that no input ingested since
    /// `recordsDocumentIDs` was set holds (their passages and BM25 entries with them). Dense caches notice
    /// the removed passages and are brought up to date by `quarry embed`.
    public func prune(source: String) throws -> IngestSummary {
        let kept = documentIDs[source] ?? []
        let removed = try store.writeBatch { try $0.removeDocuments(source: source, keeping: kept) }
        var summary = IngestSummary()
        summary.documentsPruned = removed.documents
        summary.passagesPruned = removed.passages
        return summary
    }
}

/// A document ready to store: hashed and split.
struct PreparedDocument {
    var externalID: String
    var title: String
    var contentHash: String
    var passages: [String]
}

struct PendingBatch {
    var documents: [PreparedDocument] = []
    var bytes = 0

    mutating func append(_ document: PreparedDocument) {
        documents.append(document)
        bytes += document.passages.reduce(0) { $0 + $1.utf8.count }
    }
}

/// Writes batches on its own serial queue, one transaction each, at most two batches behind the reader.
private final class BatchWriter {
    private let store: CorpusStore
    private let source: String
    private let file: String
    private let allowsDuplicates: Bool
    /// No batch written yet: the duplicate check may still refuse the input.
    private var firstBatch = true
    private let queue = DispatchQueue(label: "quarry.ingest.writer")
    private let slots = DispatchSemaphore(value: 2)
    private let lock = NSLock()
    private var failure: Error?
    private var tally = IngestSummary()

    init(store: CorpusStore, source: String, file: String, allowsDuplicates: Bool) {
        self.store = store
        self.source = source
        self.file = file
        self.allowsDuplicates = allowsDuplicates
    }

    /// Figures for the batches committed so far.
    var committed: IngestSummary { lock.withLock { tally } }

    /// Queues a batch; throws the error of an earlier batch, if one failed.
    func submit(_ batch: PendingBatch) throws {
        try rethrowFailure()
        guard !batch.documents.isEmpty else { return }
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard lock.withLock({ failure == nil }) else { return }
            do {
                let written = try write(batch)
                lock.withLock { tally.add(written) }
            } catch {
                lock.withLock { failure = error }
            }
        }
    }

    /// Waits for every queued batch; throws the first write error.
    func drain() throws {
        queue.sync {}
        try rethrowFailure()
    }

    private func rethrowFailure() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    private func write(_ batch: PendingBatch) throws -> IngestSummary {
        try store.writeBatch { writer in
            var written = IngestSummary()
            for document in batch.documents {
                if let stored = try writer.storedDocument(source: source, externalID: document.externalID) {
                    if stored.contentHash == document.contentHash {
                        written.documentsUnchanged += 1
                        continue
                    }
                    written.passagesRemoved += try writer.removeDocument(id: stored.id)
                    written.documentsChanged += 1
                } else {
                    written.documentsNew += 1
                    if let other = try writer.otherSource(storing: document.contentHash, besides: source) {
                        written.duplicatesElsewhere[other, default: 0] += 1
                    }
                }
                try writer.addDocument(source: source, externalID: document.externalID, title: document.title,
                                       contentHash: document.contentHash, passages: document.passages)
                written.passagesAdded += document.passages.count
            }
            defer { firstBatch = false }
            if firstBatch, !allowsDuplicates,
               let refusal = DuplicateSourceError.refuses(written, file: file, source: source) {
                throw refusal  // rolls the batch back: nothing of this input is stored
            }
            return written
        }
    }
}
