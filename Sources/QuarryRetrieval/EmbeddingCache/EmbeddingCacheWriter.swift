import Foundation
import QuarryStore
import Glibc

/// Appends rows to a cache so that a kill at any moment loses at most the rows of the unfinished call:
/// each `append` writes its rows, syncs the file, and only then advances the completed count in the store.
public final class EmbeddingCacheWriter {
    public let cache: EmbeddingCache
    public let dimension: Int
    /// Rows on disk and recorded in the store.
    public private(set) var rowsCompleted: Int
    private var fd: Int32
    private var rowBytes: Int { dimension * MemoryLayout<Float>.size }

    init(cache: EmbeddingCache, dimension: Int, modelPath: String, weightsHash: String) throws {
        guard dimension > 0 else { throw VectorIndexError.invalidDimension(dimension) }
        self.cache = cache
        self.dimension = dimension
        let path = cache.fileURL.path
        try FileManager.default.createDirectory(at: cache.fileURL.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        let now = Date()
        var resumeRows = 0
        if let record = try cache.record(), record.dimension == dimension, record.weightsHash == weightsHash {
            resumeRows = record.rowsCompleted
        } else {
            // Reset the record before touching the file, so a kill in between never leaves a count the
            // file cannot back.
            try cache.catalog.save(EmbeddingCacheRecord(
                name: cache.name, dimension: dimension, rowsCompleted: 0, modelPath: modelPath,
                weightsHash: weightsHash, createdAt: now, updatedAt: now))
        }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.ioError(path, "open") }
        rowsCompleted = resumeRows
        do {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw Self.ioError(path, "stat") }
            let wanted = resumeRows * dimension * MemoryLayout<Float>.size
            guard Int(info.st_size) >= wanted else {
                throw EmbeddingCacheError.fileShorterThanRecord(
                    path: path, bytes: Int(info.st_size), recordedRows: resumeRows, dimension: dimension)
            }
            // Rows past the recorded count come from a run that died before recording them.
            guard ftruncate(fd, off_t(wanted)) == 0, fsync(fd) == 0 else { throw Self.ioError(path, "truncate") }
            try Self.syncDirectory(of: cache.fileURL)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
    }

    deinit { close() }

    /// Appends whole rows (row-major); when it returns they are durable and counted in the store.
    public func append(_ rows: UnsafeBufferPointer<Float>) throws {
        guard rows.count % dimension == 0 else {
            throw EmbeddingCacheError.rowMismatch(dimension: dimension, valueCount: rows.count)
        }
        guard rows.count > 0, let base = rows.baseAddress else { return }
        let path = cache.fileURL.path
        guard fd >= 0 else { throw EmbeddingCacheError.io(path: path, operation: "append", reason: "writer is closed") }
        let raw = UnsafeRawPointer(base)
        let total = rows.count * MemoryLayout<Float>.size
        var offset = rowsCompleted * rowBytes
        var written = 0
        while written < total {
            let n = pwrite(fd, raw + written, total - written, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.ioError(path, "write")
            }
            written += n
            offset += n
        }
        guard fsync(fd) == 0 else { throw Self.ioError(path, "fsync") }
        let newCount = rowsCompleted + rows.count / dimension
        try cache.catalog.setRowsCompleted(newCount, forCache: cache.name)
        rowsCompleted = newCount
    }

    /// `append` for an array of rows.
    public func append(_ rows: [Float]) throws {
        try rows.withUnsafeBufferPointer { try append($0) }
    }

    /// Closes the file; the writer accepts no more rows.
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    private static func ioError(_ path: String, _ operation: String) -> EmbeddingCacheError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }

    /// Makes the file's directory entry durable (a new file is otherwise lost with its parent's metadata).
    private static func syncDirectory(of url: URL) throws {
        let dir = url.deletingLastPathComponent().path
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw ioError(dir, "open directory") }
        defer { _ = Glibc.close(dfd) }
        guard fsync(dfd) == 0 else { throw ioError(dir, "fsync directory") }
    }
}
