import Foundation
import QuarryStore
import QuarryText

/// Embeds every passage of a store into a named cache, resumably.
///
/// Passages are read in id order, a window at a time; each window is tokenized, sorted by length into
/// batches (little padding) and encoded, then its rows are appended in id order: first their entries in
/// the passage list, then the floats, whose durable append advances the count the store records. A kill
/// loses at most the window being encoded, and since windows start at fixed row offsets a resumed run
/// computes exactly the rows an uninterrupted one would.
///
/// A run resumes when the store's record, the manifest and the passages written so far all match the
/// encoder, template and store; otherwise it says why and starts the cache again.
public final class PassageEmbeddingJob {
    public let store: CorpusStore
    public let cache: EmbeddingCache
    public let encoder: SentenceEncoder
    public let prompts: Prompts
    /// Token limit per passage (special tokens included), at most the model's.
    public let maxTokens: Int
    /// Passages encoded together.
    public var batchSize = 32
    /// Passages read, sorted by length and appended together; a kill loses at most one window.
    public var windowSize = 256

    public init(store: CorpusStore, cacheName: String = EmbeddingCache.defaultName, encoder: SentenceEncoder,
                prompts: Prompts, maxTokens: Int? = nil) throws {
        self.store = store
        cache = try EmbeddingCache(name: cacheName, databaseURL: store.url,
                                   catalog: try EmbeddingCacheCatalog(database: store.pool))
        self.encoder = encoder
        self.prompts = prompts
        if let maxTokens, maxTokens < 3 { throw EmbeddingJobError.invalidTokenLimit(maxTokens) }
        self.maxTokens = min(maxTokens ?? encoder.maxTokens, encoder.maxTokens)
    }

    /// Runs to the end of the store, calling `progress` after each window.
    @discardableResult
    public func run(progress: ((EmbeddingProgress) -> Void)? = nil) throws -> EmbeddingSummary {
        let started = Date()
        let previous = try EmbeddingCacheManifest.load(for: cache)
        let sameFolder = previous?.model == encoder.folder.path
        let weights = try WeightsFingerprint.of(modelFolder: encoder.folder, reusing: sameFolder ? previous?.weights : nil)
        let manifest = EmbeddingCacheManifest(
            model: encoder.folder.path, weights: weights, passageTemplate: Self.templateText(prompts.passage),
            maxTokens: maxTokens, dimension: encoder.dimension, precision: encoder.encoder.precision)
        let restartReason = try reasonToRestart(manifest: manifest, previous: previous)
        let hasRecord = try cache.record() != nil
        if restartReason != nil || !hasRecord {
            // Record first, then files: a kill in between leaves no record, which means "start again".
            try cache.remove()
        }
        try FileManager.default.createDirectory(at: StoreFolder.caches.url(forDatabase: store.url),
                                                withIntermediateDirectories: true)
        try manifest.save(for: cache)
        let writer = try cache.openWriter(dimension: encoder.dimension, modelPath: encoder.folder.path,
                                          weightsHash: weights.sha256)
        defer { writer.close() }
        let resumedFrom = writer.rowsCompleted
        let list = try CachedPassageListWriter(cache: cache, keep: resumedFrom)
        var lastID = try CachedPassageList.read(for: cache, count: resumedFrom).last?.passageID ?? 0
        let total = try store.passageCount()
        var report = EmbeddingProgress(rowsDone: resumedFrom, rowsTotal: total, rowsThisRun: 0, seconds: 0)
        progress?(report)
        let window = max(1, windowSize)
        while true {
            // A window ends at the next multiple of its size, so resumed runs cut the same windows.
            let limit = window - writer.rowsCompleted % window
            let page = try store.passages(after: lastID, limit: limit)
            guard let last = page.last else { break }
            let rows = try encoder.embed(
                tokenized: page.map { encoder.tokenize(prompts.renderPassage(title: $0.title, text: $0.text), limit: maxTokens) },
                batchSize: batchSize)
            try list.append(page.map(CachedPassageEntry.init))
            try writer.append(rows)
            lastID = last.id
            report.rowsDone = writer.rowsCompleted
            report.rowsTotal = max(total, writer.rowsCompleted)
            report.rowsThisRun += page.count
            report.seconds = Date().timeIntervalSince(started)
            progress?(report)
        }
        return EmbeddingSummary(cacheName: cache.name, rows: writer.rowsCompleted, resumedFrom: resumedFrom,
                                added: writer.rowsCompleted - resumedFrom, restartReason: restartReason,
                                seconds: Date().timeIntervalSince(started))
    }

    /// Why the existing rows cannot be kept, or nil when they can (or there are none).
    private func reasonToRestart(manifest: EmbeddingCacheManifest, previous: EmbeddingCacheManifest?) throws -> String? {
        guard let record = try cache.record() else { return nil }
        guard let previous else { return "the cache has no manifest" }
        if record.weightsHash != manifest.weights.sha256 { return "the model's weights differ from those that made the cache" }
        if record.dimension != manifest.dimension { return "the model's dimension differs from the cache's" }
        if let damage = EmbeddingCacheCheck.fileDamage(cache, record: record) { return damage }
        if previous.passageTemplate != manifest.passageTemplate { return "the passage template changed" }
        if previous.maxTokens != manifest.maxTokens { return "the token limit changed (\(previous.maxTokens) → \(manifest.maxTokens))" }
        if previous.madePrecision != manifest.madePrecision {
            return "the cache was made in \(previous.madePrecision), this run encodes in \(manifest.madePrecision) "
                + "(--precision \(previous.madePrecision) resumes it)"
        }
        let entries: [CachedPassageEntry]
        do { entries = try CachedPassageList.read(for: cache, count: record.rowsCompleted) } catch {
            return "\(error)"
        }
        return try firstChangedPassage(entries).map { "passages changed since the cache was made (row \($0))" }
    }

    /// The first row whose passage is no longer the one the store holds at that position, if any.
    private func firstChangedPassage(_ entries: [CachedPassageEntry]) throws -> Int? {
        var row = 0
        var after: Int64 = 0
        while row < entries.count {
            let page = try store.passages(after: after, limit: min(4096, entries.count - row))
            guard !page.isEmpty else { return row }
            for passage in page {
                if CachedPassageEntry(passage) != entries[row] { return row }
                row += 1
            }
            after = page.last!.id
        }
        return nil
    }

    /// A template written back as text, to tell whether it changed between runs.
    static func templateText(_ template: PromptTemplate) -> String {
        template.render(["title": "{title}", "text": "{text}"]).text
    }
}

/// Where an embedding run stands.
public struct EmbeddingProgress: Sendable {
    /// Rows complete in the cache.
    public var rowsDone: Int
    /// Passages in the store.
    public var rowsTotal: Int
    /// Rows this run added.
    public var rowsThisRun: Int
    public var seconds: Double

    public var passagesPerSecond: Double { seconds > 0 ? Double(rowsThisRun) / seconds : 0 }

    /// Seconds to finish at the current rate, when there is one.
    public var secondsRemaining: Double? {
        let rate = passagesPerSecond
        return rate > 0 ? Double(max(0, rowsTotal - rowsDone)) / rate : nil
    }
}

/// What an embedding run did.
public struct EmbeddingSummary: Sendable {
    public var cacheName: String
    /// Rows in the cache at the end.
    public var rows: Int
    /// Rows already there when the run started.
    public var resumedFrom: Int
    public var added: Int
    /// Why earlier rows were discarded, if they were.
    public var restartReason: String?
    public var seconds: Double

    public var passagesPerSecond: Double { seconds > 0 ? Double(added) / seconds : 0 }
}

public enum EmbeddingJobError: Error, CustomStringConvertible, Equatable {
    case modelMissing(path: String)
    case damaged(path: String, reason: String)
    case invalidTokenLimit(Int)
    case dimensionMismatch(cache: String, cacheDimension: Int, model: String, modelDimension: Int)

    public var description: String {
        switch self {
        case let .modelMissing(path): return "\(path): model weights not found"
        case let .damaged(path, reason): return "\(path): \(reason); rebuild the cache with `quarry embed`"
        case let .invalidTokenLimit(limit): return "token limit \(limit) is too small (at least 3: [CLS], one piece, [SEP])"
        case let .dimensionMismatch(cache, cacheDimension, model, modelDimension):
            return "cache \(cache) holds \(cacheDimension)-dimensional rows but the model at \(model) makes \(modelDimension)"
        }
    }
}

/// The embed summary as `--json` prints it.
public struct EmbeddingSummaryRecord: Encodable, Sendable {
    var cache: String
    var rows: Int
    var added: Int
    var resumed_from: Int
    var restarted_because: String?
    var seconds: Double
    var passages_per_second: Double

    public init(_ summary: EmbeddingSummary) {
        cache = summary.cacheName
        rows = summary.rows
        added = summary.added
        resumed_from = summary.resumedFrom
        restarted_because = summary.restartReason
        seconds = summary.seconds
        passages_per_second = summary.passagesPerSecond
    }
}
