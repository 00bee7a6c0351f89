/// Token-id sequences padded on the right to a common length, with the attention mask that marks real tokens.
public struct TokenBatch: Sendable {
    /// Number of sequences (B).
    public let size: Int
    /// Padded length (T).
    public let length: Int
    /// [B·T] token ids, padding = 0.
    public var ids: [Int32]
    /// [B·T] segment (token type) ids, 0 unless given.
    public var typeIds: [Int32]
    /// [B·T] 1 for a real token, 0 for padding.
    public var mask: [Float]
    /// Real length of each sequence.
    public let lengths: [Int]

    /// Pads `sequences` to the longest (or to `length` if larger). `typeIds`, when given, must match each
    /// sequence's length.
    public init(sequences: [[Int]], typeIds: [[Int]]? = nil, length: Int? = nil) {
        let longest = sequences.map(\.count).max() ?? 0
        let t = max(longest, length ?? 0)
        size = sequences.count
        self.length = t
        lengths = sequences.map(\.count)
        ids = [Int32](repeating: 0, count: size * t)
        self.typeIds = [Int32](repeating: 0, count: size * t)
        mask = [Float](repeating: 0, count: size * t)
        for (b, sequence) in sequences.enumerated() {
            for (i, id) in sequence.enumerated() {
                ids[b * t + i] = Int32(truncatingIfNeeded: id)
                mask[b * t + i] = 1
            }
            if let types = typeIds?[b] {
                precondition(types.count == sequence.count, "type ids and token ids differ in length")
                for (i, type) in types.enumerated() { self.typeIds[b * t + i] = Int32(truncatingIfNeeded: type) }
            }
        }
    }
}

/// Groups sequences of similar length so batches carry little padding.
public enum LengthBuckets {
    /// Indices into `lengths`, sorted by length and cut into batches of at most `maxBatch` sequences and
    /// about `maxTokens` padded tokens. Concatenated, the batches are a permutation of all indices; callers
    /// write results back through these indices, which restores the input order.
    public static func batches(lengths: [Int], maxBatch: Int = 64, maxTokens: Int = 8192) -> [[Int]] {
        let order = lengths.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var result: [[Int]] = []
        var current: [Int] = []
        for i in order {
            // Sorted ascending, so the newest sequence is the longest: it sets the padded length.
            let padded = (current.count + 1) * max(lengths[i], 1)
            if !current.isEmpty && (current.count >= maxBatch || padded > maxTokens) {
                result.append(current)
                current = []
            }
            current.append(i)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
