import Foundation
import QuarryNN

/// What the corrector is fitted to each step.
public enum CorrectorLoss: String, Codable, Sendable {
    /// Mean squared distance of h(g′(y)) to the fresh g(y): the paper's drift loss.
    case mse
    /// The batch questions' softmax over the step's passages scored with h(g′(y)) against the same softmax
    /// scored with fresh g(y): the corrector learns what sampling needs (the ranking near the top) rather
    /// than every coordinate.
    case scores
    case mseAndScores = "mse+scores"

    var usesDistance: Bool { self != .scores }
    var usesScores: Bool { self != .mse }
}

/// Score distillation for the corrector: mean over questions i of KL(softmax(β·Q_i·Gᵀ) ‖ softmax(β·Q_i·Hᵀ)),
/// with Q the step's question embeddings, G the fresh passage embeddings (both fixed targets) and H the
/// corrected ones. Its gradient with respect to H is β/n · (C − P)ᵀ·Q, C and P the two softmax matrices.
public enum ScoreDistillationLoss {
    /// The loss; `gradient` ([passages, d]) receives ∂loss/∂H when given.
    public static func forward(queries: UnsafePointer<Float>, fresh: UnsafePointer<Float>, corrected: UnsafePointer<Float>,
                               questions n: Int, passages m: Int, dimension d: Int, scale: Float,
                               gradient: UnsafeMutablePointer<Float>?) -> Float {
        let p = Tensor(shape: [n, m]), c = Tensor(shape: [n, m])
        BLAS.gemm(transB: true, m: n, n: m, k: d, alpha: scale, a: queries, b: fresh, c: p.data)
        BLAS.gemm(transB: true, m: n, n: m, k: d, alpha: scale, a: queries, b: corrected, c: c.data)
        var loss = 0.0
        for i in 0..<n {
            let logP = logSoftmax(p.data + i * m, count: m), logC = logSoftmax(c.data + i * m, count: m)
            for j in 0..<m {
                let pj = exp(logP[j])
                loss += Double(pj) * Double(logP[j] - logC[j])
                // Keep (C − P)/n for the gradient.
                (c.data + i * m)[j] = (exp(logC[j]) - pj) / Float(n)
            }
        }
        if let gradient {
            // ∂/∂H = β · (C − P)ᵀ/n · Q: [m, n] · [n, d].
            BLAS.gemm(transA: true, m: m, n: d, k: n, alpha: scale, a: c.data, b: queries, c: gradient)
        }
        return Float(loss / Double(max(n, 1)))
    }

    private static func logSoftmax(_ x: UnsafePointer<Float>, count: Int) -> [Float] {
        LogSumExp.logSoftmax(UnsafeBufferPointer(start: x, count: count), over: 0..<count).map { Float($0) }
    }
}
