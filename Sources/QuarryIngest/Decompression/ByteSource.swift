import Foundation

/// A file read as a stream of decompressed bytes, whatever its compression (bzip2 including multistream,
/// multi-member gzip, xz, or none). Reads the file in fixed chunks, so memory stays flat. Compressed files
/// are decoded on background threads ahead of the reader, so decompression and parsing overlap: bzip2 block
/// by block on several threads (`ParallelBzip2`), gzip and xz on one thread a few chunks ahead.
public final class ByteSource {
    /// The file's path, as errors name it.
    public let path: String
    public let compression: Compression
    /// Bytes of the file consumed so far (compressed bytes when compressed), up to the data handed out.
    public private(set) var compressedBytesRead: Int64 = 0
    /// Decompressed bytes handed out so far.
    public private(set) var bytesProduced: Int64 = 0

    private let direct: FileDecoder?
    private let ahead: DecodeAhead?
    private let parallel: ParallelBzip2?
    private var chunk: DecodeAhead.Chunk?
    private var chunkOffset = 0
    private var finished = false

    /// Opens `url` and detects its compression from the first bytes.
    /// - Parameters:
    ///   - background: decode compressed files on other threads (default).
    ///   - bzip2Threads: threads decoding bzip2 blocks in parallel; 0 decodes bzip2 on one thread ahead.
    public init(url: URL, chunkSize: Int = 1 << 20, background: Bool = true,
                bzip2Threads: Int = ParallelBzip2.defaultThreads) throws {
        let decoder = try FileDecoder(url: url, chunkSize: chunkSize)
        path = decoder.path
        compression = decoder.compression
        if background && decoder.compression == .bzip2 && bzip2Threads > 0 {
            parallel = try ParallelBzip2(url: url, workers: bzip2Threads, chunkSize: chunkSize)
            ahead = nil
            direct = nil
        } else if background && decoder.compression != .none {
            parallel = nil
            ahead = DecodeAhead(decoder: decoder, chunkSize: chunkSize)
            direct = nil
        } else {
            parallel = nil
            ahead = nil
            direct = decoder
        }
    }

    /// True when block-parallel bzip2 decoding handed over to the sequential decoder (damage, or a split
    /// it could not vouch for).
    var fellBackToSequential: Bool { parallel?.fellBack ?? false }

    deinit {
        ahead?.cancel()
        parallel?.cancel()
    }

    /// Fills `buffer` with up to `capacity` decompressed bytes; returns 0 only at the end of the data.
    /// Throws `IngestError` naming the byte offset for truncated or corrupt compressed data.
    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard capacity > 0, !finished else { return 0 }
        let count: Int
        if let direct {
            count = try direct.read(into: buffer, capacity: capacity)
            compressedBytesRead = direct.compressedBytesRead
        } else if let parallel {
            count = try parallel.read(into: buffer, capacity: capacity)
            compressedBytesRead = parallel.compressedBytesRead
        } else {
            count = try readAhead(into: buffer, capacity: capacity)
        }
        if count == 0 { finished = true }
        bytesProduced += Int64(count)
        return count
    }

    private func readAhead(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard let ahead else { return 0 }
        while chunk == nil || chunkOffset == chunk!.bytes.count {
            let next = try ahead.take()
            compressedBytesRead = next.compressedBytesRead
            if next.bytes.isEmpty { return 0 }
            chunk = next
            chunkOffset = 0
        }
        let count = min(capacity, chunk!.bytes.count - chunkOffset)
        chunk!.bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + chunkOffset, count: count) }
        chunkOffset += count
        return count
    }

    /// Reads everything that is left into an array (for small files and tests).
    public func readAll() throws -> [UInt8] {
        var result: [UInt8] = []
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        defer { chunk.deallocate() }
        while true {
            let count = try read(into: chunk, capacity: 1 << 16)
            if count == 0 { return result }
            result.append(contentsOf: UnsafeBufferPointer(start: chunk, count: count))
        }
    }
}
