import Foundation

/// Where line-oriented readers get their bytes, in large chunks. `ByteSource` (any compression, detected
/// from the first bytes) is the one used for files; `bytesConsumed` counts what was taken from disk.
public protocol ByteChunkSource: AnyObject {
    /// Up to `maxCount` more bytes, or an empty array at the end of the input.
    func nextChunk(maxCount: Int) throws -> [UInt8]
    /// Bytes taken from the underlying file so far (compressed bytes for compressed files).
    var bytesConsumed: Int64 { get }
}

extension ByteSource: ByteChunkSource {
    public func nextChunk(maxCount: Int) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: maxCount)
        let count = try chunk.withUnsafeMutableBufferPointer { buffer in
            try read(into: buffer.baseAddress!, capacity: maxCount)
        }
        chunk.removeLast(maxCount - count)
        return chunk
    }

    public var bytesConsumed: Int64 { compressedBytesRead }
}
