import Foundation
import QuarryNN

/// The corrector h: a residual MLP that maps a stale passage embedding to an estimate of the current one,
/// h(e) = e + W2·GELU(W1·e + b1) + b2. W2 and b2 start at zero, so an untrained corrector is the identity
/// and the corrected cache equals the stale cache until the drift loss has taught it something.
public final class CorrectorNetwork {
    /// Embedding dimension (input and output).
    public let dimension: Int
    /// Hidden width of the MLP.
    public let width: Int
    /// Its four parameters, apart from the encoders' stores.
    public let store: ParameterStore
    let w1, b1, w2, b2: ParameterStore.Parameter

    /// Parameter names, as saved in `corrector.safetensors`.
    public static func layout(dimension: Int, width: Int) -> [(name: String, shape: [Int])] {
        [("w1", [width, dimension]), ("b1", [width]), ("w2", [dimension, width]), ("b2", [dimension])]
    }

    /// W1 ~ N(0, 1/dimension) (unit-variance pre-activations for unit-norm inputs), everything else zero.
    public init(dimension: Int, width: Int, seed: UInt64 = 0) {
        precondition(dimension > 0 && width > 0, "corrector sizes must be positive")
        self.dimension = dimension
        self.width = width
        store = ParameterStore(Self.layout(dimension: dimension, width: width))
        w1 = store.parameter(named: "w1")!
        b1 = store.parameter(named: "b1")!
        w2 = store.parameter(named: "w2")!
        b2 = store.parameter(named: "b2")!
        var rng = Xoshiro256(seed: seed)
        rng.fillNormal(store.value(w1), count: w1.count, std: 1 / Float(dimension).squareRoot())
    }

    /// One forward pass over `rows` embeddings, with the intermediates `backward` needs.
    public final class Pass {
        public let rows: Int
        let input: [Float]
        let preActivation: Tensor
        let activation: Tensor
        /// [rows, dimension] corrected embeddings.
        public let output: Tensor

        init(rows: Int, input: [Float], width: Int, dimension: Int) {
            self.rows = rows
            self.input = input
            preActivation = Tensor(shape: [rows, width])
            activation = Tensor(shape: [rows, width])
            output = Tensor(shape: [rows, dimension])
        }
    }

    /// h over `rows` embeddings (row-major), keeping intermediates.
    public func trainingForward(_ input: [Float], rows: Int) -> Pass {
        precondition(input.count == rows * dimension, "corrector input must be rows × dimension")
        let pass = Pass(rows: rows, input: input, width: width, dimension: dimension)
        input.withUnsafeBufferPointer { x in
            apply(x.baseAddress!, rows: rows, preActivation: pass.preActivation.data,
                  activation: pass.activation.data, out: pass.output.data)
        }
        return pass
    }

    /// Accumulates parameter gradients for a loss whose gradient with respect to `pass.output` is
    /// `outputGradient`. The input (the stale cache) gets no gradient: it is data, not a parameter.
    public func backward(_ pass: Pass, outputGradient: UnsafePointer<Float>) {
        let n = pass.rows, d = dimension, w = width, s = store
        // out = x + act·W2ᵀ + b2
        let dActivation = Tensor(shape: [n, w])
        Linear.backward(dinp: dActivation.data, dweight: s.gradient(w2), dbias: s.gradient(b2), dout: outputGradient,
                        inp: pass.activation.data, weight: s.value(w2), rows: n, inDim: w, outDim: d)
        let dPre = Tensor(shape: [n, w])
        GELU.backward(dinp: dPre.data, dout: dActivation.data, inp: pass.preActivation.data, count: n * w)
        pass.input.withUnsafeBufferPointer { x in
            Linear.backward(dinp: nil, dweight: s.gradient(w1), dbias: s.gradient(b1), dout: dPre.data,
                            inp: x.baseAddress!, weight: s.value(w1), rows: n, inDim: d, outDim: w)
        }
    }

    /// h over a whole matrix (e.g. the stale cache), in blocks of rows so the hidden buffer stays small.
    /// `out` may not alias `input`.
    public func apply(to input: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>, blockRows: Int = 4096) {
        let block = max(1, min(blockRows, rows))
        let pre = Tensor(shape: [block, width]), act = Tensor(shape: [block, width])
        var start = 0
        while start < rows {
            let n = min(block, rows - start)
            apply(input + start * dimension, rows: n, preActivation: pre.data, activation: act.data,
                  out: out + start * dimension)
            start += n
        }
    }

    private func apply(_ x: UnsafePointer<Float>, rows n: Int, preActivation: UnsafeMutablePointer<Float>,
                       activation: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let s = store, d = dimension
        Linear.forward(out: preActivation, inp: x, weight: s.value(w1), bias: s.value(b1), rows: n, inDim: d, outDim: width)
        GELU.forward(out: activation, inp: preActivation, count: n * width)
        Linear.forward(out: out, inp: activation, weight: s.value(w2), bias: s.value(b2), rows: n, inDim: width, outDim: d)
        BLAS.axpy(n * d, alpha: 1, x: x, y: out)
    }
}

/// The drift loss: mean over rows of ‖h(g′(y)) − g(y)‖², the fresh embedding g(y) a fixed target.
public enum DriftLoss {
    /// The loss, and its gradient with respect to the corrected embeddings written into `gradient`.
    public static func forward(corrected: UnsafePointer<Float>, fresh: UnsafePointer<Float>, rows: Int, dimension: Int,
                               gradient: UnsafeMutablePointer<Float>?) -> Float {
        guard rows > 0 else { return 0 }
        var total: Double = 0
        let n = rows * dimension, factor = 2 / Float(rows)
        for i in 0..<n {
            let diff = corrected[i] - fresh[i]
            total += Double(diff * diff)
            gradient?[i] = factor * diff
        }
        return Float(total / Double(rows))
    }

    /// Mean over rows of ‖a − b‖², for reporting.
    public static func meanSquaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, dimension: Int) -> Float {
        forward(corrected: a, fresh: b, rows: rows, dimension: dimension, gradient: nil)
    }

    /// The same over two [rows, dimension] matrices of equal size.
    public static func meanSquaredDistance(_ a: [Float], _ b: [Float], dimension: Int) -> Float {
        precondition(a.count == b.count && dimension > 0, "matrices differ in size")
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                meanSquaredDistance(a.baseAddress!, b.baseAddress!, rows: a.count / dimension, dimension: dimension)
            }
        }
    }
}

/// The corrector with its own AdamW: one `fit` call is one drift-loss update on the passages a training
/// step encoded fresh.
public final class CorrectorTrainer {
    public let network: CorrectorNetwork
    public let optimizer: AdamW
    public var learningRate: Float

    public init(network: CorrectorNetwork, learningRate: Float = 1e-3, weightDecay: Float = 0) {
        self.network = network
        self.learningRate = learningRate
        optimizer = AdamW(store: network.store, weightDecay: weightDecay)
    }

    /// One update toward h(stale) ≈ fresh over `rows` pairs; returns the drift loss before the update.
    @discardableResult
    public func fit(stale: [Float], fresh: [Float], rows: Int) -> Float {
        fit(stale: stale, fresh: fresh, rows: rows, loss: .mse)
    }

    /// One update with `loss`; `queries` ([questions, d], the step's question embeddings) and `scale` (β) feed
    /// the score loss. Returns the drift loss (mean squared distance) before the update, whatever was fitted.
    @discardableResult
    public func fit(stale: [Float], fresh: [Float], rows: Int, loss: CorrectorLoss, queries: [Float] = [], scale: Float = 1) -> Float {
        guard rows > 0 else { return 0 }
        let d = network.dimension
        precondition(stale.count == rows * d && fresh.count == rows * d, "drift pairs must be rows × dimension")
        precondition(!loss.usesScores || (queries.count % d == 0 && !queries.isEmpty), "the score loss needs question embeddings")
        network.store.zeroGradients()
        let pass = network.trainingForward(stale, rows: rows)
        let gradient = Tensor(shape: [rows, d])
        let drift = fresh.withUnsafeBufferPointer { f in
            DriftLoss.forward(corrected: pass.output.data, fresh: f.baseAddress!, rows: rows, dimension: d,
                              gradient: loss.usesDistance ? gradient.data : nil)
        }
        if loss.usesScores {
            let scoreGradient = Tensor(shape: [rows, d])
            queries.withUnsafeBufferPointer { q in
                fresh.withUnsafeBufferPointer { f in
                    _ = ScoreDistillationLoss.forward(queries: q.baseAddress!, fresh: f.baseAddress!, corrected: pass.output.data,
                                                      questions: queries.count / d, passages: rows, dimension: d, scale: scale,
                                                      gradient: scoreGradient.data)
                }
            }
            BLAS.axpy(rows * d, alpha: 1, x: scoreGradient.data, y: gradient.data)
        }
        network.backward(pass, outputGradient: gradient.data)
        optimizer.update(network.store, learningRate: learningRate)
        return drift
    }
}
