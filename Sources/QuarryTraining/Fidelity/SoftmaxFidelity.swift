import Foundation
import QuarryNN
import QuarryRetrieval

/// How closely each sampling distribution follows the one negatives should come from: the softmax of the
/// current encoders' scores over every passage, with the whole corpus embedded fresh. Measured on held-out
/// questions, over the passages a question may draw (its answer-bearing ones left out, as the sampler does),
/// at the sampler's scale β/τ. Unlike the top-K probe, it sees every passage, so it can tell two caches apart.
public struct SoftmaxFidelity: Codable, Equatable, Sendable {
    public var step: Int
    public var questions: Int
    /// K of the top-K recall.
    public var k: Int
    /// Mean over questions of KL(fresh ‖ stale) in nats: the information lost by sampling from the stale cache.
    public var staleKL: Double
    /// The same for the corrected cache; nil without a corrector.
    public var correctedKL: Double?
    /// Mean over questions of |fresh top-K ∩ stale top-K| / K.
    public var staleRecall: Double
    public var correctedRecall: Double?
    /// With `--correct-candidates M`: the M of the stale top list the corrected sampler may draw from. The
    /// mean share of the fresh softmax's mass inside them (1: the truncation loses nothing)…
    public var candidates: Int?
    public var candidateMass: Double?
    /// …and the mean |fresh top-K ∩ the corrected top-K among them| / K, the truncated sampler's recall.
    public var candidateRecall: Double?
}

/// A `SoftmaxFidelity` as a line of `metrics.jsonl` (`"kind": "softmax-fidelity"`).
public struct SoftmaxFidelityRecord: Codable, Equatable, Sendable {
    public var kind = "softmax-fidelity"
    public var step: Int
    public var fidelity: SoftmaxFidelity
}

public enum SoftmaxFidelityMeasure {
    /// `queries` are [n, d] question embeddings; `fresh`, `stale` and `corrected` are [rows, d] passage matrices;
    /// `excluded[i]` are the rows question i never samples. Scores are β/τ·⟨q, y⟩.
    public static func measure(step: Int, queries: [Float], fresh: UnsafePointer<Float>, stale: UnsafePointer<Float>,
                               corrected: UnsafePointer<Float>?, rows: Int, dimension d: Int, inverseTemperature: Float,
                               excluded: [Set<Int>], k: Int = 20, candidates: Int = 0) throws -> SoftmaxFidelity {
        let n = excluded.count
        precondition(queries.count == n * d && rows > 0, "one query row per question")
        let depth = min(k, rows)
        var staleKL = 0.0, correctedKL = 0.0, staleRecall = 0.0, correctedRecall = 0.0
        var candidateMass = 0.0, candidateRecall = 0.0
        let block = 16
        var start = 0
        while start < n {
            let m = min(block, n - start)
            let freshScores = try scores(queries, from: start, count: m, matrix: fresh, rows: rows, dimension: d, scale: inverseTemperature)
            let staleScores = try scores(queries, from: start, count: m, matrix: stale, rows: rows, dimension: d, scale: inverseTemperature)
            let correctedScores = try corrected.map {
                try scores(queries, from: start, count: m, matrix: $0, rows: rows, dimension: d, scale: inverseTemperature)
            }
            for i in 0..<m {
                let skip = excluded[start + i]
                let p = UnsafeBufferPointer(start: freshScores.data + i * rows, count: rows)
                let freshTop = Set(GumbelTopKSampler.topK(scores: p, k: depth, excluding: skip))
                let s = UnsafeBufferPointer(start: staleScores.data + i * rows, count: rows)
                staleKL += divergence(p, s, excluding: skip)
                staleRecall += recall(freshTop, GumbelTopKSampler.topK(scores: s, k: depth, excluding: skip), depth)
                if let c = correctedScores.map({ UnsafeBufferPointer(start: $0.data + i * rows, count: rows) }) {
                    correctedKL += divergence(p, c, excluding: skip)
                    correctedRecall += recall(freshTop, GumbelTopKSampler.topK(scores: c, k: depth, excluding: skip), depth)
                    if candidates > 0 {
                        // Each question's own stale top-M: in training the batch pools its questions', a superset.
                        let pool = GumbelTopKSampler.topK(scores: s, k: candidates, excluding: skip)
                        let logZp = logSumExp(p, excluding: skip)
                        candidateMass += pool.reduce(0) { $0 + exp(Double(p[$1]) - logZp) }
                        let best = pool.sorted { (c[$0], $1) > (c[$1], $0) }.prefix(depth)
                        candidateRecall += recall(freshTop, Array(best), depth)
                    }
                }
            }
            start += m
        }
        let count = Double(max(n, 1))
        let truncated = corrected != nil && candidates > 0
        return SoftmaxFidelity(step: step, questions: n, k: depth, staleKL: staleKL / count,
                               correctedKL: corrected == nil ? nil : correctedKL / count,
                               staleRecall: staleRecall / count, correctedRecall: corrected == nil ? nil : correctedRecall / count,
                               candidates: truncated ? candidates : nil, candidateMass: truncated ? candidateMass / count : nil,
                               candidateRecall: truncated ? candidateRecall / count : nil)
    }

    /// KL(softmax(p) ‖ softmax(q)) over the rows not excluded, in nats.
    static func divergence(_ p: UnsafeBufferPointer<Float>, _ q: UnsafeBufferPointer<Float>, excluding skip: Set<Int>) -> Double {
        let logZp = logSumExp(p, excluding: skip), logZq = logSumExp(q, excluding: skip)
        var total = 0.0
        for j in 0..<p.count where !skip.contains(j) {
            let lp = Double(p[j]) - logZp
            total += exp(lp) * (lp - (Double(q[j]) - logZq))
        }
        return max(0, total)
    }

    static func logSumExp(_ x: UnsafeBufferPointer<Float>, excluding skip: Set<Int>) -> Double {
        LogSumExp.of(x, over: x.indices.lazy.filter { !skip.contains($0) })
    }

    private static func recall(_ reference: Set<Int>, _ found: [Int], _ k: Int) -> Double {
        Double(reference.intersection(found).count) / Double(max(k, 1))
    }

    /// scale·Q[start..<start+count]·Mᵀ, [count, rows], by the exact index's product.
    private static func scores(_ queries: [Float], from start: Int, count: Int, matrix: UnsafePointer<Float>, rows: Int,
                               dimension d: Int, scale: Float) throws -> Tensor {
        let out = Tensor(shape: [count, rows])
        let index = FlatInnerProductIndex(borrowing: matrix, rows: rows, dimension: d)
        try queries.withUnsafeBufferPointer { q in
            try index.scores(UnsafeBufferPointer(rebasing: q[(start * d)..<((start + count) * d)]), scale: scale, into: out.data)
        }
        return out
    }
}
