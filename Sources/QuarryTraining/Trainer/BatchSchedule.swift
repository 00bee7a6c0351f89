import QuarryNN

/// Which questions each step trains on: the questions in a fresh seeded permutation every epoch, cut
/// into consecutive batches. A function of (seed, step) alone, so a resumed run sees the same batches.
public struct BatchSchedule: Sendable {
    public let questionCount: Int
    public let batchSize: Int
    public let seed: UInt64

    public init(questionCount: Int, batchSize: Int, seed: UInt64) {
        precondition(questionCount > 0 && batchSize > 0, "empty schedule")
        self.questionCount = questionCount
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Question indices of 0-based `step` (a batch may span two epochs).
    public func batch(at step: Int) -> [Int] {
        var order = EpochOrder(count: questionCount) { [seed] epoch in
            seed &* 0x9E37_79B9 &+ UInt64(epoch) &* 0x1000_0000_01B3
        }
        return (0..<batchSize).map { order.index(at: step * batchSize + $0) }
    }
}
