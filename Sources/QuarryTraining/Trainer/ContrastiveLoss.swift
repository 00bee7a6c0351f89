import QuarryNN

/// Softmax cross-entropy of each question's positive against every passage the step encoded (the
/// batch's positives and sampled negatives), on scaled dot products of normalised embeddings.
/// A passage that holds one of the question's answers but is not its positive is masked out: it is
/// never a negative.
public struct ContrastiveLoss {
    public let scale: Float
    /// Logit given to masked pairs: far enough below any real score that its probability is zero.
    static let maskedLogit: Float = -1e4

    public init(scale: Float) { self.scale = scale }

    /// The loss and the gradients with respect to query embeddings Q [B, d] and passage embeddings P [M, d].
    /// `targets[i]` is the row of P holding question i's positive; `masked(i, m)` says whether pair (i, m)
    /// must be left out.
    public func evaluate(
        queries: UnsafePointer<Float>, passages: UnsafePointer<Float>, rows b: Int, passageRows m: Int, dimension d: Int,
        targets: [Int32], masked: (Int, Int) -> Bool
    ) -> (loss: Float, queryGradient: [Float], passageGradient: [Float]) {
        let logits = Tensor(shape: [b, m]), probs = Tensor(shape: [b, m]), dLogits = Tensor(shape: [b, m])
        BLAS.gemm(transB: true, m: b, n: m, k: d, a: queries, b: passages, c: logits.data)
        for i in 0..<b {
            for j in 0..<m where j != Int(targets[i]) && masked(i, j) { logits[i * m + j] = Self.maskedLogit }
        }
        let loss = targets.withUnsafeBufferPointer { t in
            SoftmaxCrossEntropy.forward(probs: probs.data, logits: logits.data, targets: t.baseAddress!, rows: b, classes: m, scale: scale)
        }
        targets.withUnsafeBufferPointer { t in
            SoftmaxCrossEntropy.backward(dlogits: dLogits.data, probs: probs.data, targets: t.baseAddress!, rows: b, classes: m, scale: scale)
        }
        var dQ = [Float](repeating: 0, count: b * d), dP = [Float](repeating: 0, count: m * d)
        dQ.withUnsafeMutableBufferPointer { BLAS.gemm(m: b, n: d, k: m, a: dLogits.data, b: passages, c: $0.baseAddress!) }
        dP.withUnsafeMutableBufferPointer { BLAS.gemm(transA: true, m: m, n: d, k: b, a: dLogits.data, b: queries, c: $0.baseAddress!) }
        return (loss, dQ, dP)
    }
}
