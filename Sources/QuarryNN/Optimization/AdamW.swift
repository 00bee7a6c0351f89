/// Adam with decoupled weight decay (Loshchilov & Hutter) and bias correction, over a whole `ParameterStore`.
public final class AdamW {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Steps taken so far (the bias correction uses it).
    public private(set) var step = 0
    private let m: UnsafeMutablePointer<Float>
    private let v: UnsafeMutablePointer<Float>
    /// Per-float weight-decay factor (1 or 0), so biases and layer-norm gains can be exempt.
    private let decayMask: UnsafeMutablePointer<Float>
    private let count: Int

    /// `decays(parameter)` says which parameters get weight decay; by default those with two or more
    /// dimensions (weight matrices and embeddings, not biases or layer-norm parameters).
    public init(
        store: ParameterStore, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0.01, decays: (ParameterStore.Parameter) -> Bool = { $0.shape.count >= 2 }
    ) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        count = store.count
        m = .allocate(capacity: max(count, 1)); m.initialize(repeating: 0, count: max(count, 1))
        v = .allocate(capacity: max(count, 1)); v.initialize(repeating: 0, count: max(count, 1))
        decayMask = .allocate(capacity: max(count, 1)); decayMask.initialize(repeating: 0, count: max(count, 1))
        for p in store.parameters where decays(p) {
            (decayMask + p.offset).update(repeating: 1, count: p.count)
        }
    }

    deinit { m.deallocate(); v.deallocate(); decayMask.deallocate() }

    /// The first and second moment buffers and their length, for checkpointing.
    func withMoments<T>(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) throws -> T) rethrows -> T {
        try body(m, v, count)
    }

    func restoreStep(_ step: Int) { self.step = step }

    /// One update of every value in `store` from its gradient, at learning rate `lr`:
    /// θ ← θ - lr·(m̂ / (√v̂ + ε) + λ·θ).
    public func update(_ store: ParameterStore, learningRate lr: Float) {
        precondition(store.count == count, "optimiser built for another store")
        step += 1
        let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        let c1 = 1 / (1 - Float(pow(Double(b1), Double(step))))
        let c2 = 1 / (1 - Float(pow(Double(b2), Double(step))))
        let theta = store.values, g = store.gradients, m = self.m, v = self.v, mask = decayMask
        Parallel.forRanges(count, grain: 1 << 15) { start, end in
            for i in start..<end {
                let gi = g[i]
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                let update = (mi * c1) / ((vi * c2).squareRoot() + eps)
                theta[i] -= lr * (update + wd * mask[i] * theta[i])
            }
        }
    }
}

import Foundation
