import Foundation
import QuarryModels
import QuarryRetrieval

/// Top-k answer accuracy of a query encoder against a matrix of passage embeddings, searched exactly.
public enum RetrievalEvaluation {
    /// Encodes the questions 64 at a time and searches all `rows` of `matrix` for each one's `ks.max()` best.
    public static func evaluate(
        _ questions: [EvaluationQuestion], queryEncoder: BertEncoder, matrix: UnsafePointer<Float>, rows: Int,
        ks: [Int] = TopKAccuracy.defaultKs
    ) throws -> TopKAccuracy {
        var accuracy = TopKAccuracy(ks: ks)
        let index = FlatInnerProductIndex(borrowing: matrix, rows: rows, dimension: queryEncoder.dimension)
        let deepest = accuracy.ks.last ?? 1
        for start in stride(from: 0, to: questions.count, by: 64) {
            let part = questions[start..<min(start + 64, questions.count)]
            let q = try queryEncoder.embed(part.map(\.queryTokens))
            let ranked = try q.withUnsafeBufferPointer { try index.search($0, k: deepest) }
            for (question, neighbours) in zip(part, ranked) {
                accuracy.add(firstHitRank: neighbours.firstIndex { question.answerBearing.contains($0.id) })
            }
        }
        return accuracy
    }
}
