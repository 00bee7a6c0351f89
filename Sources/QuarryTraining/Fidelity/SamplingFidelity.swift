import Foundation
import QuarryModels
import QuarryNN
import QuarryRetrieval

/// How well cached scores stand in for fresh ones on a fixed probe of questions, at one moment of training.
public struct SamplingFidelity: Codable, Equatable, Sendable {
    public var step: Int
    /// K of the overlap.
    public var k: Int
    /// Mean over probe questions of |top-K under stale scores ∩ top-K under fresh scores| / K.
    public var staleOverlap: Double
    /// The same for the corrected scores; nil without a corrector.
    public var correctedOverlap: Double?
    /// Mean ‖g′(y) − g(y)‖² over the probe's candidates: how far the cache has drifted.
    public var staleSquaredError: Double
    /// Mean ‖h(g′(y)) − g(y)‖² over candidates the corrector never trained on; nil without a corrector.
    public var correctorSquaredError: Double?
    /// Candidates embedded fresh (the union over questions and scores).
    public var candidates: Int
    /// Of those, how many the corrector never saw in training.
    public var unseenCandidates: Int
}

/// Measures `SamplingFidelity`. Fresh embeddings are computed only for the union of each probe question's
/// best `candidates` rows under the stale and under the corrected scores, so a probe costs a few hundred
/// passage passes, not a corpus.
public struct SamplingFidelityProbe {
    public let questions: [[Int]]
    public let candidates: Int
    public let k: Int

    public init(questionTokens: [[Int]], candidates: Int, k: Int) {
        self.questions = questionTokens
        self.candidates = candidates
        self.k = k
    }

    /// `stale` and `corrected` are [rows, d] matrices; `corrector` maps stale rows to corrected ones for
    /// the error; `trainedRows` are rows the corrector has fitted; `embedFresh` encodes rows with the current g.
    public func measure(
        step: Int, queryEncoder: BertEncoder, stale: UnsafePointer<Float>, corrected: UnsafePointer<Float>?, rows: Int,
        trainedRows: Set<Int>, embedFresh: ([Int]) throws -> [Float]
    ) throws -> SamplingFidelity? {
        guard !questions.isEmpty, rows > 0 else { return nil }
        let d = queryEncoder.dimension, depth = min(candidates, rows)
        let q = try queryEncoder.embed(questions)
        func scores(_ matrix: UnsafePointer<Float>) throws -> Tensor {
            let s = Tensor(shape: [questions.count, rows])
            let index = FlatInnerProductIndex(borrowing: matrix, rows: rows, dimension: d)
            try q.withUnsafeBufferPointer { try index.scores($0, into: s.data) }
            return s
        }
        let staleScores = try scores(stale)
        let correctedScores = try corrected.map(scores)
        var staleTop: [[Int]] = [], correctedTop: [[Int]] = []
        var union = Set<Int>()
        for i in 0..<questions.count {
            let s = GumbelTopKSampler.topK(scores: UnsafeBufferPointer(start: staleScores.data + i * rows, count: rows), k: depth)
            staleTop.append(s); union.formUnion(s)
            if let c = correctedScores {
                let t = GumbelTopKSampler.topK(scores: UnsafeBufferPointer(start: c.data + i * rows, count: rows), k: depth)
                correctedTop.append(t); union.formUnion(t)
            }
        }
        let candidateRows = union.sorted()
        let fresh = try embedFresh(candidateRows)
        let topK = min(k, candidateRows.count)
        var staleOverlap = 0.0, correctedOverlap = 0.0
        for i in 0..<questions.count {
            // Fresh scores of the candidates; the true fresh top-K is assumed to lie among them.
            var freshScores = [Float](repeating: 0, count: candidateRows.count)
            q.withUnsafeBufferPointer { qb in
                fresh.withUnsafeBufferPointer { fb in
                    freshScores.withUnsafeMutableBufferPointer {
                        BLAS.gemv(m: candidateRows.count, n: d, a: fb.baseAddress!, x: qb.baseAddress! + i * d, y: $0.baseAddress!)
                    }
                }
            }
            let freshTop = Set(GumbelTopKSampler.topK(scores: freshScores, k: topK).map { candidateRows[$0] })
            staleOverlap += Double(Set(staleTop[i].prefix(topK)).intersection(freshTop).count) / Double(topK)
            if !correctedTop.isEmpty {
                correctedOverlap += Double(Set(correctedTop[i].prefix(topK)).intersection(freshTop).count) / Double(topK)
            }
        }
        // Drift of the cache, and the corrector's error on rows it never fitted.
        var staleError = 0.0, correctorError = 0.0, unseen = 0
        fresh.withUnsafeBufferPointer { fb in
            for (j, row) in candidateRows.enumerated() {
                let target = fb.baseAddress! + j * d
                staleError += Double(DriftLoss.meanSquaredDistance(stale + row * d, target, rows: 1, dimension: d))
                if let corrected, !trainedRows.contains(row) {
                    correctorError += Double(DriftLoss.meanSquaredDistance(corrected + row * d, target, rows: 1, dimension: d))
                    unseen += 1
                }
            }
        }
        let n = Double(questions.count)
        return SamplingFidelity(
            step: step, k: topK, staleOverlap: staleOverlap / n,
            correctedOverlap: corrected == nil ? nil : correctedOverlap / n,
            staleSquaredError: staleError / Double(candidateRows.count),
            correctorSquaredError: corrected == nil || unseen == 0 ? nil : correctorError / Double(unseen),
            candidates: candidateRows.count, unseenCandidates: unseen)
    }
}
