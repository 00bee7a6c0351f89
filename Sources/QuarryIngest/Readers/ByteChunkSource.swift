import Foundation

/// Where line-oriented readers get their bytes: a file read in large chunks. This is the seam for
/// compressed inputs: a decompressing source hands out the decompressed bytes the same way while
/// `bytesConsumed` counts the compressed bytes read from disk.
public protocol ByteChunkSource: AnyObject {
    /// Up to `maxCount` more bytes, or an empty array at the end of the input.
    func nextChunk(maxCount: Int) throws -> [UInt8]
    /// Bytes taken from the underlying file so far.
    var bytesConsumed: Int64 { get }
}

/// An uncompressed file, read with plain `read(2)` calls.
public final class PlainFileSource: ByteChunkSource {
    private let handle: FileHandle
    private let path: String
    public private(set) var bytesConsumed: Int64 = 0

    public init(url: URL) throws {
        path = url.path
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw IngestError(file: url.path, place: "", message: "cannot open: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    public func nextChunk(maxCount: Int) throws -> [UInt8] {
        let data: Data?
        do {
            data = try handle.read(upToCount: maxCount)
        } catch {
            throw IngestError(file: path, place: "byte \(bytesConsumed)", message: "read failed: \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else { return [] }
        bytesConsumed += Int64(data.count)
        return [UInt8](data)
    }
}
