import Foundation
import QuarryNN

/// The reader's output layers on top of the encoder's last hidden states, as DPR's reader has them:
/// a linear map hidden → 2 giving every token a start and an end logit, and a linear map hidden → 1 on the
/// `[CLS]` row giving the whole input a relevance logit.
///
/// Parameters live in their own `ParameterStore` (`span.weight` [2, H], `span.bias` [2],
/// `relevance.weight` [1, H], `relevance.bias` [1]) so they save and train beside the encoder's.
public final class ReaderHeads {
    public let hiddenSize: Int
    public let store: ParameterStore
    let span: ParameterStore.Parameter, spanBias: ParameterStore.Parameter
    let relevance: ParameterStore.Parameter, relevanceBias: ParameterStore.Parameter

    /// The parameter names and shapes for hidden size `h`.
    static func layout(_ h: Int) -> [(name: String, shape: [Int])] {
        [("span.weight", [2, h]), ("span.bias", [2]), ("relevance.weight", [1, h]), ("relevance.bias", [1])]
    }

    /// Heads with weights N(0, 0.02²) and zero biases, reproducible by `seed`.
    public init(hiddenSize: Int, seed: UInt64 = 0) {
        self.hiddenSize = hiddenSize
        store = ParameterStore(Self.layout(hiddenSize))
        span = store.parameter(named: "span.weight")!
        spanBias = store.parameter(named: "span.bias")!
        relevance = store.parameter(named: "relevance.weight")!
        relevanceBias = store.parameter(named: "relevance.bias")!
        var rng = Xoshiro256(seed: seed)
        rng.fillNormal(store.value(span), count: span.count, std: 0.02)
        rng.fillNormal(store.value(relevance), count: relevance.count, std: 0.02)
    }

    /// Logits of a batch: `start`/`end` [B·T] and `relevance` [B] from hidden states [B, T, H].
    public struct Logits {
        public var start: [Float]
        public var end: [Float]
        public var relevance: [Float]
    }

    /// start[b,t], end[b,t] = hidden[b,t,:]·W_spanᵀ + b_span;  relevance[b] = hidden[b,0,:]·w_relᵀ + b_rel.
    public func forward(hidden: [Float], batch: Int, length: Int) -> Logits {
        let n = batch * length, h = hiddenSize
        precondition(hidden.count == n * h, "hidden states must be B × T × H")
        var pairs = [Float](repeating: 0, count: n * 2)
        var relevanceLogits = [Float](repeating: 0, count: batch)
        hidden.withUnsafeBufferPointer { x in
            pairs.withUnsafeMutableBufferPointer { out in
                Linear.forward(out: out.baseAddress!, inp: x.baseAddress!, weight: store.value(span),
                               bias: store.value(spanBias), rows: n, inDim: h, outDim: 2)
            }
            let w = store.value(relevance), bias = store.value(relevanceBias)[0]
            for b in 0..<batch {
                relevanceLogits[b] = BLAS.dot(h, x.baseAddress! + b * length * h, w) + bias
            }
        }
        var start = [Float](repeating: 0, count: n), end = [Float](repeating: 0, count: n)
        for i in 0..<n { start[i] = pairs[2 * i]; end[i] = pairs[2 * i + 1] }
        return Logits(start: start, end: end, relevance: relevanceLogits)
    }

    /// Accumulates the heads' parameter gradients and returns d(loss)/d(hidden) [B, T, H], given the
    /// loss's gradients with respect to the three logit arrays.
    public func backward(hidden: [Float], batch: Int, length: Int,
                         dStart: [Float], dEnd: [Float], dRelevance: [Float]) -> [Float] {
        let n = batch * length, h = hiddenSize
        var dPairs = [Float](repeating: 0, count: n * 2)
        for i in 0..<n { dPairs[2 * i] = dStart[i]; dPairs[2 * i + 1] = dEnd[i] }
        var dHidden = [Float](repeating: 0, count: n * h)
        hidden.withUnsafeBufferPointer { x in
            dPairs.withUnsafeBufferPointer { d in
                dHidden.withUnsafeMutableBufferPointer { dx in
                    Linear.backward(dinp: dx.baseAddress!, dweight: store.gradient(span), dbias: store.gradient(spanBias),
                                    dout: d.baseAddress!, inp: x.baseAddress!, weight: store.value(span),
                                    rows: n, inDim: h, outDim: 2)
                    let w = store.value(relevance), dw = store.gradient(relevance)
                    for b in 0..<batch where dRelevance[b] != 0 {
                        let row = b * length * h
                        BLAS.axpy(h, alpha: dRelevance[b], x: w, y: dx.baseAddress! + row)
                        BLAS.axpy(h, alpha: dRelevance[b], x: x.baseAddress! + row, y: dw)
                        store.gradient(relevanceBias)[0] += dRelevance[b]
                    }
                }
            }
        }
        return dHidden
    }
}
