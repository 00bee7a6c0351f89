import Foundation
import QuarryModels
import QuarryNN

/// Top-k answer accuracy of a query encoder against a matrix of passage embeddings: a question counts as
/// answered at k when one of its k best rows contains a gold answer.
public struct TopKAccuracy: Codable, Equatable, Sendable {
    public var ks: [Int]
    public var questions: Int
    /// Questions answered within each k, aligned with `ks`.
    public var hits: [Int]

    /// Percentage answered within `k`.
    public func percentage(at k: Int) -> Double? {
        guard let i = ks.firstIndex(of: k), questions > 0 else { return nil }
        return 100 * Double(hits[i]) / Double(questions)
    }

    /// "top-1 40.0%  top-5 …" for logs.
    public var summary: String {
        ks.map { String(format: "top-%d %.1f%%", $0, percentage(at: $0) ?? 0) }.joined(separator: "  ")
    }
}

public enum RetrievalEvaluation {
    public static let defaultKs = [1, 5, 20, 100]

    /// Scores every question against all `rows` of `matrix` (sgemm over blocks of questions) and counts hits.
    public static func evaluate(
        _ questions: [EvaluationQuestion], queryEncoder: BertEncoder, matrix: UnsafePointer<Float>, rows: Int,
        ks: [Int] = defaultKs
    ) throws -> TopKAccuracy {
        let d = queryEncoder.dimension, deepest = min(ks.max() ?? 1, rows)
        var hits = [Int](repeating: 0, count: ks.count)
        let block = 64
        var start = 0
        while start < questions.count {
            let part = Array(questions[start..<min(start + block, questions.count)])
            let q = try queryEncoder.embed(part.map(\.queryTokens))
            let scores = Tensor(shape: [part.count, rows])
            q.withUnsafeBufferPointer {
                BLAS.gemm(transB: true, m: part.count, n: rows, k: d, a: $0.baseAddress!, b: matrix, c: scores.data)
            }
            for (i, question) in part.enumerated() {
                let ranked = GumbelTopKSampler.topK(scores: UnsafeBufferPointer(start: scores.data + i * rows, count: rows), k: deepest)
                guard let rank = ranked.firstIndex(where: question.answerBearing.contains) else { continue }
                for (j, k) in ks.enumerated() where rank < k { hits[j] += 1 }
            }
            start += block
        }
        return TopKAccuracy(ks: ks, questions: questions.count, hits: hits)
    }
}
