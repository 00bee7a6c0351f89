import Foundation

/// What the scanner finds in a bzip2 file, in file order.
enum Bzip2Piece {
    /// One block, rewrapped as a standalone one-block stream that libbz2 decodes on its own.
    case block(wrapped: [UInt8], endOffset: Int64, streamStart: Int64)
    /// The end-of-stream marker of a stream whose stored combined CRC matched its blocks'.
    case streamEnd(endOffset: Int64)
    /// The last piece of a file that ends inside a stream, rewrapped but without an end marker: decoding it
    /// gives what a sequential decoder would (a complete block's text, then the truncation error).
    case truncatedTail(wrapped: [UInt8], fileSize: Int64, streamStart: Int64)
    /// Something a split cannot vouch for (a header or marker out of place, a CRC mismatch): decode
    /// sequentially from the start of the stream at this offset instead.
    case unsure(streamStart: Int64)
    /// The end of the file, right after a stream.
    case end(fileSize: Int64)
}

/// Splits a bzip2 file into its blocks by finding the 48-bit block and end-of-stream magics, which sit at
/// any bit position. A magic can also occur by chance inside compressed data (odds about 2^-48 per bit);
/// such a false split makes a piece fail to decode, and the caller then falls back to sequential decoding
/// of that stream, so the split is never trusted beyond what libbz2's CRC checks confirm.
final class Bzip2BlockScanner {
    static let blockMagic: UInt64 = 0x3141_5926_5359
    static let endMagic: UInt64 = 0x1772_4538_5090
    private static let mask48: UInt64 = (1 << 48) - 1
    /// For a magic ending in the byte just read (at any of its 8 bit shifts), the byte before is one of
    /// 16 values: testing it first skips the 16 comparisons at almost every byte.
    private static let possiblePreviousByte: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for magic in [blockMagic, endMagic] {
            for shift in 0..<8 { table[Int((magic >> UInt64(8 - shift)) & 0xFF)] = true }
        }
        return table
    }()

    let path: String
    private let descriptor: Int32
    private let readSize: Int
    /// File bytes from `base` on; bytes before the piece being scanned are dropped as it completes.
    private var buffer: [UInt8] = []
    private var base: Int64 = 0
    private var fileEnded = false
    private var streamStart: Int64 = 0
    /// Bit offset of the current block's magic, or nil when the next thing is a stream header.
    private var blockStart: Int64?
    private var level: UInt8 = 0x39
    private var combinedCRC: UInt32 = 0
    private var done = false

    init(path: String, readSize: Int = 1 << 20) throws {
        self.path = path
        self.readSize = readSize
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw IngestError(file: path, place: "", message: "cannot open: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// The next piece; after `.end`, `.unsure` or `.truncatedTail`, nil.
    func next() throws -> Bzip2Piece? {
        guard !done else { return nil }
        let piece = try scan()
        switch piece {
        case .block, .streamEnd: break
        default: done = true
        }
        return piece
    }

    private func scan() throws -> Bzip2Piece {
        guard let start = blockStart else { return try readStreamHeader() }
        // The block's CRC (32 bits after its magic) is part of the piece; the next magic comes after it.
        guard let (magicAt, isEnd) = try findMagic(from: start + 80) else {
            let size = base + Int64(buffer.count)
            return .truncatedTail(wrapped: wrap(from: start, to: size * 8, closed: false), fileSize: size,
                                  streamStart: streamStart)
        }
        let crc = UInt32(truncatingIfNeeded: bits(at: start + 48, count: 32))
        combinedCRC = (combinedCRC << 1 | combinedCRC >> 31) ^ crc
        let wrapped = wrap(from: start, to: magicAt, closed: true, crc: crc)
        let owner = streamStart
        if isEnd {
            // The stored combined CRC must be there and agree with the blocks' CRCs, or the split is unsure.
            guard try ensure(bit: magicAt + 80),
                  UInt32(truncatingIfNeeded: bits(at: magicAt + 48, count: 32)) == combinedCRC else {
                return .unsure(streamStart: owner)
            }
            blockStart = nil
            streamStart = (magicAt + 80 + 7) / 8
            pendingEnd = streamStart
        } else {
            blockStart = magicAt
        }
        discard(before: magicAt / 8)
        return .block(wrapped: wrapped, endOffset: magicAt / 8, streamStart: owner)
    }

    /// The offset after a stream whose end marker was just read, reported right after its last block.
    private var pendingEnd: Int64?

    /// At a byte boundary: "BZh" and a level digit, then a block magic or (an empty stream) the end marker.
    private func readStreamHeader() throws -> Bzip2Piece {
        if let end = pendingEnd {
            pendingEnd = nil
            return .streamEnd(endOffset: end)
        }
        guard try ensure(bit: streamStart * 8 + 8) else { return .end(fileSize: base + Int64(buffer.count)) }
        guard try ensure(bit: streamStart * 8 + 80) else { return .unsure(streamStart: streamStart) }
        let index = Int(streamStart - base)
        let digit = buffer[index + 3]
        guard buffer[index] == 0x42, buffer[index + 1] == 0x5A, buffer[index + 2] == 0x68,
              (0x31...0x39).contains(digit) else {
            return .unsure(streamStart: streamStart)
        }
        let first = bits(at: streamStart * 8 + 32, count: 48)
        if first == Self.endMagic {
            // An empty stream (a compressed empty file): its combined CRC is zero.
            guard try ensure(bit: streamStart * 8 + 112), bits(at: streamStart * 8 + 80, count: 32) == 0 else {
                return .unsure(streamStart: streamStart)
            }
            streamStart += 14
            return .streamEnd(endOffset: streamStart)
        }
        guard first == Self.blockMagic else { return .unsure(streamStart: streamStart) }
        level = digit
        combinedCRC = 0
        blockStart = streamStart * 8 + 32
        return try scan()
    }

    // MARK: Bits

    /// The first magic starting at or after bit `from`: its bit offset and whether it ends the stream.
    private func findMagic(from: Int64) throws -> (Int64, Bool)? {
        var byte = from / 8
        var window: UInt64 = 0
        var loaded = 0
        while true {
            if byte - base >= Int64(buffer.count) {
                guard try readMore() else { return nil }
            }
            let first = Int(byte - base)
            let possible = Self.possiblePreviousByte
            let found: (Int64, Bool)? = buffer.withUnsafeBufferPointer { bytes in
                for index in first..<bytes.count {
                    window = window << 8 | UInt64(bytes[index])
                    loaded += 8
                    guard loaded >= 48, possible[Int((window >> 8) & 0xFF)] else { continue }
                    // Magics ending in this byte, earliest first (the one shifted furthest).
                    for shift in stride(from: min(7, loaded - 48), through: 0, by: -1) {
                        let candidate = (window >> UInt64(shift)) & Self.mask48
                        guard candidate == Self.blockMagic || candidate == Self.endMagic else { continue }
                        let start = (base + Int64(index)) * 8 + 7 - Int64(shift) - 47
                        if start >= from { return (start, candidate == Self.endMagic) }
                    }
                }
                return nil
            }
            if let found { return found }
            byte = base + Int64(buffer.count)
        }
    }

    /// `count` (≤ 56) bits starting at absolute bit `bit`, which must be buffered.
    private func bits(at bit: Int64, count: Int) -> UInt64 {
        var index = Int(bit / 8 - base)
        let skip = Int(bit % 8)
        var value: UInt64 = 0
        var have = 0
        while have < skip + count {
            value = value << 8 | UInt64(buffer[index])
            index += 1
            have += 8
        }
        return (value >> UInt64(have - skip - count)) & ((1 << UInt64(count)) - 1)
    }

    /// The bits [from, to) as a standalone stream: header with this stream's level, the bits, and unless
    /// the piece is a truncated tail, an end marker whose combined CRC is the block's own.
    private func wrap(from: Int64, to: Int64, closed: Bool, crc: UInt32 = 0) -> [UInt8] {
        var writer = BitWriter(capacity: Int((to - from) / 8) + 16)
        writer.append(0x425A68, count: 24)
        writer.append(UInt64(level), count: 8)
        let length = to - from
        let whole = Int(length / 8)
        let first = Int(from / 8 - base)
        let shift = Int(from % 8)
        buffer.withUnsafeBufferPointer { bytes in
            if shift == 0 {
                writer.appendBytes(bytes[first..<first + whole])
            } else {
                writer.reserve(whole)
                for index in first..<first + whole {
                    let pair = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
                    writer.appendByte(UInt8(truncatingIfNeeded: pair >> UInt16(8 - shift)))
                }
            }
        }
        let rest = Int(length % 8)
        if rest > 0 { writer.append(bits(at: from + Int64(whole) * 8, count: rest), count: rest) }
        if closed {
            writer.append(Self.endMagic, count: 48)
            writer.append(UInt64(crc), count: 32)
        }
        return writer.finish()
    }

    // MARK: File

    /// True once the file holds bit `bit - 1` in the buffer (reading more as needed); false past its end.
    private func ensure(bit: Int64) throws -> Bool {
        while (base + Int64(buffer.count)) * 8 < bit {
            guard try readMore() else { return false }
        }
        return true
    }

    private func readMore() throws -> Bool {
        guard !fileEnded else { return false }
        let old = buffer.count
        buffer.reserveCapacity(old + readSize)
        var chunk = [UInt8](repeating: 0, count: readSize)
        var filled = 0
        while filled < readSize {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + filled, readSize - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw IngestError(file: path, place: "byte \(base + Int64(old))",
                                  message: "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { fileEnded = true; break }
            filled += count
        }
        buffer.append(contentsOf: chunk[0..<filled])
        return filled > 0
    }

    /// Drops buffered bytes before file offset `offset` once they are no longer needed.
    private func discard(before offset: Int64) {
        let drop = Int(offset - base)
        guard drop > 0, drop >= buffer.count / 2 || drop > 4 * readSize else { return }
        buffer.removeFirst(drop)
        base = offset
    }
}

/// Appends bits most-significant first, as bzip2 stores them.
struct BitWriter {
    private var bytes: [UInt8] = []
    private var pending: UInt64 = 0
    private var pendingCount = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(_ value: UInt64, count: Int) {
        var left = count
        while left > 0 {
            let take = min(left, 8 - pendingCount)
            let part = (value >> UInt64(left - take)) & ((1 << UInt64(take)) - 1)
            pending = pending << UInt64(take) | part
            pendingCount += take
            left -= take
            if pendingCount == 8 { bytes.append(UInt8(pending)); pending = 0; pendingCount = 0 }
        }
    }

    /// Whole bytes, valid only while the writer stands on a byte boundary.
    mutating func appendBytes(_ slice: Slice<UnsafeBufferPointer<UInt8>>) {
        precondition(pendingCount == 0)
        bytes.append(contentsOf: slice)
    }

    mutating func appendByte(_ byte: UInt8) {
        precondition(pendingCount == 0)
        bytes.append(byte)
    }

    mutating func reserve(_ count: Int) { bytes.reserveCapacity(bytes.count + count + 16) }

    /// The bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if pendingCount > 0 { bytes.append(UInt8(pending << UInt64(8 - pendingCount))); pendingCount = 0 }
        return bytes
    }
}
