import Foundation
import QuarryRetrieval

/// Draws hard negatives from scores. `sample` takes K distinct indices without replacement from
/// softmax(scores / temperature): adding independent Gumbel noise to each logit and keeping the K
/// largest gives exactly that distribution (the Gumbel-max trick, extended to top-K). `topK` is the
/// deterministic version. Excluded indices (passages holding a gold answer) are never returned.
public struct GumbelTopKSampler: Sendable {
    /// Softmax temperature; higher spreads the draws, lower approaches plain top-k.
    public var temperature: Float

    public init(temperature: Float = 1) {
        precondition(temperature > 0 && temperature.isFinite, "temperature must be a positive number")
        self.temperature = temperature
    }

    /// Up to `k` distinct indices into `scores`, in draw order (the first is a draw from the full softmax,
    /// the next from the rest, and so on), skipping `excluded`. Fewer when too few indices are eligible.
    public func sample<G: RandomNumberGenerator>(
        scores: UnsafeBufferPointer<Float>, k: Int, excluding excluded: Set<Int> = [], using rng: inout G
    ) -> [Int] {
        guard k > 0, !scores.isEmpty else { return [] }
        let inverse = 1 / temperature
        var heap = TopKHeap(capacity: k)
        defer { heap.deallocate() }
        for i in 0..<scores.count {
            // g = -log(-log u) is standard Gumbel noise.
            let key = scores[i] * inverse - logf(-logf(openUnitFloat(&rng)))
            if heap.isFull && !(key > heap.worstScore) { continue }
            if excluded.contains(i) { continue }
            heap.offer(score: key, id: i)
        }
        return heap.sorted().map(\.id)
    }

    /// `sample` for an array of scores.
    public func sample<G: RandomNumberGenerator>(
        scores: [Float], k: Int, excluding excluded: Set<Int> = [], using rng: inout G
    ) -> [Int] {
        scores.withUnsafeBufferPointer { sample(scores: $0, k: k, excluding: excluded, using: &rng) }
    }

    /// The `k` highest-scoring indices not in `excluded`, best first (ties: lower index first).
    public static func topK(scores: UnsafeBufferPointer<Float>, k: Int, excluding excluded: Set<Int> = []) -> [Int] {
        guard k > 0, !scores.isEmpty else { return [] }
        var heap = TopKHeap(capacity: k)
        defer { heap.deallocate() }
        for i in 0..<scores.count {
            if heap.isFull && !(scores[i] > heap.worstScore) { continue }
            if excluded.contains(i) { continue }
            heap.offer(score: scores[i], id: i)
        }
        return heap.sorted().map(\.id)
    }

    /// `topK` for an array of scores.
    public static func topK(scores: [Float], k: Int, excluding excluded: Set<Int> = []) -> [Int] {
        scores.withUnsafeBufferPointer { topK(scores: $0, k: k, excluding: excluded) }
    }
}

/// A uniform Float strictly inside (0, 1) from any generator (24 random bits, centred in their cell), so
/// the double logarithm of Gumbel noise stays finite.
@inline(__always)
func openUnitFloat<G: RandomNumberGenerator>(_ rng: inout G) -> Float {
    (Float(rng.next() >> 40) + 0.5) * (1.0 / 16_777_216.0)
}
