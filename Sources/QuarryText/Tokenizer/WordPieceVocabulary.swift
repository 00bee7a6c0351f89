import Foundation

/// A WordPiece vocabulary (`vocab.txt`: one token a line, the line number is the id), looked up by UTF-8 bytes.
///
/// Word-initial pieces and `##` continuation pieces live in two open-addressing tables keyed by their bytes,
/// so the tokenizer can probe a slice of its word buffer without building a `String`.
public struct WordPieceVocabulary: Sendable {
    /// Every token, indexed by id.
    public let tokens: [String]
    private let initial: ByteTable
    private let continuation: ByteTable
    /// The longest piece in bytes (without `##`): longer slices need not be probed.
    let longestPieceBytes: Int

    /// Reads `vocab.txt`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        var lines: [String] = []
        lines.reserveCapacity(32_768)
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
                guard i < bytes.count || start < bytes.count else { break }
                var end = i
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                start = i + 1
            }
        }
        guard !lines.isEmpty else { throw TokenizerError.malformedVocabulary(path: url.path, reason: "no tokens") }
        self.init(tokens: lines)
    }

    /// Builds the tables from tokens in id order. A token that occurs twice keeps its first id, as Hugging Face does.
    public init(tokens: [String]) {
        self.tokens = tokens
        var initialKeys: [([UInt8], Int)] = []
        var continuationKeys: [([UInt8], Int)] = []
        var longest = 0
        for (id, token) in tokens.enumerated() {
            let bytes = Array(token.utf8)
            if bytes.count > 2 && bytes[0] == 0x23 && bytes[1] == 0x23 {
                continuationKeys.append((Array(bytes[2...]), id))
                longest = max(longest, bytes.count - 2)
            } else {
                initialKeys.append((bytes, id))
                longest = max(longest, bytes.count)
            }
        }
        initial = ByteTable(keys: initialKeys)
        continuation = ByteTable(keys: continuationKeys)
        longestPieceBytes = longest
    }

    /// The number of tokens.
    public var count: Int { tokens.count }

    /// The id of a whole token such as `[CLS]` or `##ing`, if present.
    public func id(of token: String) -> Int? {
        var bytes = Array(token.utf8)
        if bytes.count > 2 && bytes[0] == 0x23 && bytes[1] == 0x23 {
            bytes.removeFirst(2)
            return bytes.withUnsafeBufferPointer { continuation.find($0.baseAddress!, $0.count) }
        }
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.isEmpty ? nil : initial.find(buffer.baseAddress!, buffer.count)
        }
    }

    /// The id of the piece `bytes[0..<count]`, as a word start or as a `##` continuation.
    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ count: Int, continuing: Bool) -> Int? {
        continuing ? continuation.find(bytes, count) : initial.find(bytes, count)
    }
}

/// Open addressing over byte strings kept in one arena; FNV-1a hashing, linear probing, load factor ≤ 1/2.
private struct ByteTable: Sendable {
    private let arena: [UInt8]
    private let starts: [Int32]      // per entry: start in arena
    private let lengths: [Int32]     // per entry: byte count
    private let ids: [Int32]         // per entry: token id
    private let slots: [Int32]       // entry index or -1
    private let mask: Int

    init(keys: [([UInt8], Int)]) {
        var arena: [UInt8] = []
        var starts: [Int32] = [], lengths: [Int32] = [], ids: [Int32] = []
        var capacity = 16
        while capacity < keys.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for (bytes, id) in keys {
            let hash = bytes.withUnsafeBufferPointer { ByteTable.hash($0.baseAddress, $0.count) }
            var slot = hash & mask
            var duplicate = false
            while slots[slot] >= 0 {
                let entry = Int(slots[slot])
                if Int(lengths[entry]) == bytes.count && arena[Int(starts[entry])..<Int(starts[entry]) + bytes.count].elementsEqual(bytes) {
                    duplicate = true
                    break
                }
                slot = (slot &+ 1) & mask
            }
            if duplicate { continue }
            slots[slot] = Int32(starts.count)
            starts.append(Int32(arena.count))
            lengths.append(Int32(bytes.count))
            ids.append(Int32(id))
            arena.append(contentsOf: bytes)
        }
        self.arena = arena
        self.starts = starts
        self.lengths = lengths
        self.ids = ids
        self.slots = slots
        self.mask = mask
    }

    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        guard let bytes else { return Int(truncatingIfNeeded: h) }
        for i in 0..<count {
            h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        var slot = ByteTable.hash(bytes, count) & mask
        return arena.withUnsafeBufferPointer { arena in
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { return nil }
                if Int(lengths[entry]) == count && memcmp(arena.baseAddress! + Int(starts[entry]), bytes, count) == 0 {
                    return Int(ids[entry])
                }
                slot = (slot &+ 1) & mask
            }
        }
    }
}
