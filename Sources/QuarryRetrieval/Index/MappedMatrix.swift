import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only float32 row-major matrix memory-mapped from a file: the rows stay in the page cache and
/// are never copied into the process. The mapping lives as long as this object.
public final class MappedMatrix: @unchecked Sendable {
    public let url: URL
    public let rows: Int
    public let dimension: Int
    /// First float of row 0; nil when the matrix has no rows (an empty file cannot be mapped).
    public let base: UnsafePointer<Float>?
    private let mappedBytes: Int

    /// Maps the first `rows` rows of `url` (all whole rows in the file when `rows` is nil).
    public init(url: URL, dimension: Int, rows: Int? = nil) throws {
        guard dimension > 0 else { throw VectorIndexError.invalidDimension(dimension) }
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw MappedMatrixError.cannotOpen(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw MappedMatrixError.cannotOpen(path: url.path, reason: String(cString: strerror(errno)))
        }
        let rowBytes = dimension * MemoryLayout<Float>.size
        let fileBytes = Int(info.st_size)
        let wholeRows = fileBytes / rowBytes
        let wanted = rows ?? wholeRows
        guard wanted >= 0, wanted <= wholeRows else {
            throw MappedMatrixError.tooShort(path: url.path, bytes: fileBytes, rows: wanted, dimension: dimension)
        }
        self.url = url
        self.rows = wanted
        self.dimension = dimension
        self.mappedBytes = wanted * rowBytes
        if mappedBytes == 0 {
            base = nil
            return
        }
        let address = mmap(nil, mappedBytes, PROT_READ, MAP_SHARED, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw MappedMatrixError.cannotMap(path: url.path, reason: String(cString: strerror(errno)))
        }
        // Searches read every row front to back: ask the kernel to read ahead.
        _ = madvise(address, mappedBytes, MADV_SEQUENTIAL)
        base = UnsafePointer(address.assumingMemoryBound(to: Float.self))
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), mappedBytes) }
    }
}

/// Why a matrix file could not be mapped, naming the file.
public enum MappedMatrixError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case cannotMap(path: String, reason: String)
    case tooShort(path: String, bytes: Int, rows: Int, dimension: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open matrix file: \(reason)"
        case let .cannotMap(path, reason): return "\(path): cannot memory-map matrix file: \(reason)"
        case let .tooShort(path, bytes, rows, dimension):
            return "\(path): file of \(bytes) bytes holds fewer than \(rows) rows of \(dimension) float32 values"
        }
    }
}
