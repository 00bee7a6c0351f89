/// Which example a training position reads: the examples in a fresh seeded permutation every epoch, so the
/// order is a function of (seed, position) alone and a resumed run reads what an uninterrupted one would.
/// Shared by the retriever's batch schedule and the reader trainer; each keeps its own epoch seeds.
public struct EpochOrder {
    public let count: Int
    private let seedOfEpoch: (Int) -> UInt64
    private var epoch = -1
    private var order: [Int] = []

    /// `seedOfEpoch` gives the xoshiro256** seed of each 0-based epoch's permutation.
    public init(count: Int, seedOfEpoch: @escaping (Int) -> UInt64) {
        precondition(count > 0, "no examples to order")
        self.count = count
        self.seedOfEpoch = seedOfEpoch
    }

    /// The example read at 0-based `position` (epoch · count + offset in the epoch).
    public mutating func index(at position: Int) -> Int {
        let current = position / count
        if current != epoch {
            var rng = Xoshiro256(seed: seedOfEpoch(current))
            order = Array(0..<count)
            order.shuffle(using: &rng)
            epoch = current
        }
        return order[position % count]
    }
}
