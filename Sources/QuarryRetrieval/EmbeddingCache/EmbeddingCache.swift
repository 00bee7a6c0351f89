import Foundation
import QuarryStore

/// A named cache of passage embeddings for one store: a float32 row-major file
/// `<database>.caches/<name>.f32` (row i is the i-th passage in id order) plus a record in the store
/// saying how many rows are complete and which weights produced them. Search maps the file as one matrix.
public struct EmbeddingCache: Sendable {
    /// The name used when the user gives none.
    public static let defaultName = "dense"

    public let name: String
    /// The float32 file holding the rows.
    public let fileURL: URL
    public let catalog: EmbeddingCacheCatalog

    /// The cache `name` of the store at `databaseURL`. Names are letters, digits, `-`, `_` and `.`
    /// (not first), so they are safe as file names.
    public init(name: String = EmbeddingCache.defaultName, databaseURL: URL, catalog: EmbeddingCacheCatalog) throws {
        guard Self.isValidName(name) else { throw EmbeddingCacheError.invalidName(name) }
        self.name = name
        self.catalog = catalog
        fileURL = StoreFolder.caches.url(forDatabase: databaseURL).appendingPathComponent("\(name).f32")
    }

    public static func isValidName(_ name: String) -> Bool { StoredName.isValid(name) }

    /// The store's record of this cache, if any.
    public func record() throws -> EmbeddingCacheRecord? {
        try catalog.record(named: name)
    }

    /// Whether the cache can serve searches for an encoder with `weightsHash` over `passageCount` passages.
    public func status(weightsHash: String, passageCount: Int) throws -> EmbeddingCacheStatus {
        guard let record = try record() else { return .missing }
        if record.weightsHash != weightsHash { return .stale(recordedHash: record.weightsHash) }
        if record.rowsCompleted < passageCount { return .partial(rowsCompleted: record.rowsCompleted, of: passageCount) }
        return .complete(rows: record.rowsCompleted)
    }

    /// Opens the cache for appending. If the store already records rows made by the same weights and
    /// dimension, the file is cut back to those rows (dropping anything written after the last
    /// recorded count, e.g. by a killed run) and appending resumes there; otherwise the cache starts empty.
    public func openWriter(dimension: Int, modelPath: String, weightsHash: String) throws -> EmbeddingCacheWriter {
        try EmbeddingCacheWriter(cache: self, dimension: dimension, modelPath: modelPath, weightsHash: weightsHash)
    }

    /// Replaces the cache with a [rows, dimension] matrix computed elsewhere (e.g. a trainer's corrected
    /// cache) whose rows hold `passages`, in order. The passage list is written first: search maps rows to
    /// passages through it (never by position, which shifts once passages are removed), and health checks
    /// find the rows whose passages changed.
    public func replace(with matrix: [Float], dimension: Int, passages: [CachedPassageEntry], modelPath: String,
                        weightsHash: String) throws {
        guard passages.count * dimension == matrix.count else {
            throw EmbeddingCacheError.rowMismatch(dimension: dimension, valueCount: matrix.count)
        }
        try remove()
        try FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try CachedPassageListWriter(cache: self, keep: 0).append(passages)
        let writer = try openWriter(dimension: dimension, modelPath: modelPath, weightsHash: weightsHash)
        defer { writer.close() }
        let floatsPerWrite = 8192 * dimension
        try matrix.withUnsafeBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: floatsPerWrite) {
                try writer.append(UnsafeBufferPointer(rebasing: all[start..<min(start + floatsPerWrite, all.count)]))
            }
        }
    }

    /// The completed rows, memory-mapped (no copy).
    public func mapMatrix() throws -> MappedMatrix {
        guard let record = try record() else { throw EmbeddingCacheError.missing(name: name) }
        return try MappedMatrix(url: fileURL, dimension: record.dimension, rows: record.rowsCompleted)
    }

    /// An exact index searching the mapped rows in place.
    public func flatIndex() throws -> FlatInnerProductIndex {
        FlatInnerProductIndex(mapping: try mapMatrix())
    }

    /// Deletes the record, the file and its passage list.
    public func remove() throws {
        try catalog.remove(named: name)
        for url in [fileURL, CachedPassageList.url(for: self)] where FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }
}

/// How a cache stands against the encoder and the store it should describe.
public enum EmbeddingCacheStatus: Equatable, Sendable {
    /// No cache of that name.
    case missing
    /// Made by other weights than the encoder's: it must be rebuilt (or deliberately used as stale).
    case stale(recordedHash: String)
    /// Made by these weights but not finished: resume it.
    case partial(rowsCompleted: Int, of: Int)
    /// Every passage has a row.
    case complete(rows: Int)
}

public enum EmbeddingCacheError: Error, CustomStringConvertible, Equatable {
    case invalidName(String)
    case missing(name: String)
    case fileShorterThanRecord(path: String, bytes: Int, recordedRows: Int, dimension: Int)
    case io(path: String, operation: String, reason: String)
    case rowMismatch(dimension: Int, valueCount: Int)

    public var description: String {
        switch self {
        case let .invalidName(name):
            return "invalid cache name \"\(name)\": use letters, digits, '-', '_' and '.' (not first)"
        case let .missing(name):
            return "no embedding cache named \(name): run `quarry embed` first"
        case let .fileShorterThanRecord(path, bytes, rows, dimension):
            return "\(path): \(bytes) bytes, but the store records \(rows) rows of \(dimension) floats; the cache file was damaged, rebuild it"
        case let .io(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        case let .rowMismatch(dimension, valueCount):
            return "\(valueCount) floats are not whole rows of dimension \(dimension)"
        }
    }
}
