import QuarryNN

/// One training forward pass of a `BertEncoder`: its outputs, and everything its backward pass needs.
/// Dropout is not applied (training runs are deterministic).
public final class BertForwardPass {
    /// The batch that was encoded.
    public let batch: TokenBatch
    let activations: BertActivations
    /// [B, C] pooled, before normalisation.
    let pooled: Tensor
    /// [B, C] the sentence embeddings (pooled, then normalised if the pooling says so).
    let output: Tensor
    /// [B] norms of `pooled`.
    let norms: Tensor

    init(batch: TokenBatch, activations: BertActivations, dimension: Int) {
        self.batch = batch
        self.activations = activations
        pooled = Tensor(shape: [batch.size, dimension])
        output = Tensor(shape: [batch.size, dimension])
        norms = Tensor(shape: [batch.size])
    }

    /// Sentence embeddings, B × C row-major.
    public var embeddings: [Float] { output.array }
    /// Last hidden states, B × T × C row-major.
    public var hiddenStates: [Float] { activations.lastHidden.array }
}

/// Gradient buffers reused across backward passes.
final class BertGradientWorkspace {
    let dHidden = Tensor(shape: [0]), dSum = Tensor(shape: [0]), dNormed = Tensor(shape: [0])
    let dContext = Tensor(shape: [0]), dq = Tensor(shape: [0]), dk = Tensor(shape: [0]), dv = Tensor(shape: [0])
    let dActivation = Tensor(shape: [0]), dPre = Tensor(shape: [0]), scratch = Tensor(shape: [0])

    func resize(rows n: Int, length t: Int, config c: BertConfig) {
        for x in [dHidden, dSum, dNormed, dContext, dq, dk, dv] { x.reshape([n, c.hiddenSize]) }
        dActivation.reshape([n, c.intermediateSize])
        dPre.reshape([n, c.intermediateSize])
        scratch.reshape([Attention.scratchCount(length: t)])
    }
}

extension BertEncoder {
    /// Forward pass keeping every layer's intermediates for `backward`.
    public func trainingForward(_ batch: TokenBatch) throws -> BertForwardPass {
        try validate(batch)
        let pass = BertForwardPass(batch: batch, activations: reusableTrainingActivations(), dimension: dimension)
        forward(batch, into: pass.activations)
        pool(pass.activations.lastHidden.data, batch: batch, into: pass.pooled.data)
        if pooling.normalize {
            L2Normalize.forward(out: pass.output.data, norms: pass.norms.data, inp: pass.pooled.data,
                                rows: batch.size, dim: dimension)
        } else {
            pass.output.data.update(from: pass.pooled.data, count: pass.pooled.count)
        }
        return pass
    }

    /// Activation buffers no live `BertForwardPass` holds any more, else new ones. Reuse matters: a training
    /// batch keeps hundreds of megabytes of intermediates, and fresh pages cost a fault each.
    private func reusableTrainingActivations() -> BertActivations {
        for i in trainingActivationPool.indices where isKnownUniquelyReferenced(&trainingActivationPool[i]) {
            return trainingActivationPool[i]
        }
        let fresh = BertActivations(config: config, keepsAllLayers: true)
        // A few sets cover a query and a passage pass alive together; beyond that, let them go with their pass.
        if trainingActivationPool.count < 4 { trainingActivationPool.append(fresh) }
        return fresh
    }

    /// Accumulates into `store.gradients` the gradient of a loss whose derivative with respect to the
    /// sentence embeddings is `embeddingGradient` (B × C).
    public func backward(_ pass: BertForwardPass, embeddingGradient: [Float]) {
        let b = pass.batch.size, t = pass.batch.length, c = dimension
        precondition(embeddingGradient.count == b * c, "embedding gradient must be B × C")
        let dPooled = Tensor(shape: [b, c])
        embeddingGradient.withUnsafeBufferPointer { g in
            if pooling.normalize {
                L2Normalize.backward(dinp: dPooled.data, dout: g.baseAddress!, out: pass.output.data,
                                     norms: pass.norms.data, rows: b, dim: c)
            } else {
                dPooled.data.update(from: g.baseAddress!, count: b * c)
            }
        }
        var dHidden = [Float](repeating: 0, count: b * t * c)
        dHidden.withUnsafeMutableBufferPointer { dh in
            switch pooling.mode {
            case .mean:
                pass.batch.mask.withUnsafeBufferPointer { mask in
                    MeanPooling.backward(dinp: dh.baseAddress!, dout: dPooled.data, mask: mask.baseAddress!,
                                         batch: b, length: t, channels: c)
                }
            case .cls:
                for i in 0..<b { (dh.baseAddress! + i * t * c).update(from: dPooled.data + i * c, count: c) }
            }
        }
        backward(pass, hiddenGradient: dHidden)
    }

    /// Accumulates into `store.gradients` the gradient of a loss whose derivative with respect to the last
    /// hidden states is `hiddenGradient` (B × T × C; e.g. from a reader head).
    public func backward(_ pass: BertForwardPass, hiddenGradient: [Float]) {
        let batch = pass.batch, b = batch.size, t = batch.length, n = b * t, h = dimension
        precondition(hiddenGradient.count == n * h, "hidden-state gradient must be B × T × C")
        guard n > 0 else { return }
        let ws = gradientWorkspace, acts = pass.activations, s = store, w = weights
        ws.resize(rows: n, length: t, config: config)
        hiddenGradient.withUnsafeBufferPointer { ws.dHidden.data.update(from: $0.baseAddress!, count: n * h) }
        batch.mask.withUnsafeBufferPointer { mask in
            for l in stride(from: config.layers - 1, through: 0, by: -1) {
                layerBackward(l, acts: acts, ws: ws, mask: mask.baseAddress!, batch: b, length: t)
            }
        }
        // Embedding layer norm, then the three tables (scatter-add).
        ws.dSum.zero()
        LayerNorm.backward(dinp: ws.dSum.data, dweight: s.gradient(w.embeddingNorm), dbias: s.gradient(w.embeddingNormBias),
                           dout: ws.dHidden.data, inp: acts.embeddingSum.data, weight: s.value(w.embeddingNorm),
                           mean: acts.embeddingMean.data, rstd: acts.embeddingRstd.data, rows: n, dim: h)
        batch.ids.withUnsafeBufferPointer { ids in
            Embedding.backward(dtable: s.gradient(w.words), dout: ws.dSum.data, ids: ids.baseAddress!, rows: n, dim: h)
        }
        batch.typeIds.withUnsafeBufferPointer { types in
            Embedding.backward(dtable: s.gradient(w.types), dout: ws.dSum.data, ids: types.baseAddress!, rows: n, dim: h)
        }
        let positions = (0..<n).map { Int32($0 % t) }
        positions.withUnsafeBufferPointer { ids in
            Embedding.backward(dtable: s.gradient(w.positions), dout: ws.dSum.data, ids: ids.baseAddress!, rows: n, dim: h)
        }
    }

    /// On entry ws.dHidden holds d(output of layer l); on exit d(input of layer l).
    private func layerBackward(
        _ l: Int, acts: BertActivations, ws: BertGradientWorkspace, mask: UnsafePointer<Float>, batch: Int, length: Int
    ) {
        let c = config, n = batch * length, h = c.hiddenSize, i = c.intermediateSize
        let s = store, w = weights.layers[l], a = acts.layer(l)
        let x = acts.input(ofLayer: l).data
        // Output layer norm: dHidden → dSum (= d outputSum), which flows to the FFN and, residually, to h1.
        ws.dSum.zero()
        LayerNorm.backward(dinp: ws.dSum.data, dweight: s.gradient(w.outputNorm), dbias: s.gradient(w.outputNormBias),
                           dout: ws.dHidden.data, inp: a.outputSum.data, weight: s.value(w.outputNorm),
                           mean: a.mean2.data, rstd: a.rstd2.data, rows: n, dim: h)
        ws.dNormed.data.update(from: ws.dSum.data, count: n * h)
        ws.dActivation.zero()
        Linear.backward(dinp: ws.dActivation.data, dweight: s.gradient(w.output), dbias: s.gradient(w.outputBias),
                        dout: ws.dSum.data, inp: a.activation.data, weight: s.value(w.output), rows: n, inDim: i, outDim: h,
                        precision: precision)
        ws.dPre.zero()
        GELU.backward(dinp: ws.dPre.data, dout: ws.dActivation.data, inp: a.preActivation.data, count: n * i)
        Linear.backward(dinp: ws.dNormed.data, dweight: s.gradient(w.intermediate), dbias: s.gradient(w.intermediateBias),
                        dout: ws.dPre.data, inp: a.attentionNormed.data, weight: s.value(w.intermediate),
                        rows: n, inDim: h, outDim: i, precision: precision)
        // Attention layer norm: dNormed → dSum (= d attentionSum), which flows to the projection and to x.
        ws.dSum.zero()
        LayerNorm.backward(dinp: ws.dSum.data, dweight: s.gradient(w.attentionNorm), dbias: s.gradient(w.attentionNormBias),
                           dout: ws.dNormed.data, inp: a.attentionSum.data, weight: s.value(w.attentionNorm),
                           mean: a.mean1.data, rstd: a.rstd1.data, rows: n, dim: h)
        ws.dHidden.data.update(from: ws.dSum.data, count: n * h)
        ws.dContext.zero()
        Linear.backward(dinp: ws.dContext.data, dweight: s.gradient(w.attentionOutput), dbias: s.gradient(w.attentionOutputBias),
                        dout: ws.dSum.data, inp: a.context.data, weight: s.value(w.attentionOutput), rows: n, inDim: h, outDim: h,
                        precision: precision)
        ws.dq.zero(); ws.dk.zero(); ws.dv.zero()
        Attention.backward(dq: ws.dq.data, dk: ws.dk.data, dv: ws.dv.data, scratch: ws.scratch.data, dout: ws.dContext.data,
                           q: a.q.data, k: a.k.data, v: a.v.data, probs: a.probs.data,
                           batch: batch, length: length, channels: h, heads: c.heads)
        for (d, weight, bias) in [(ws.dq, w.query, w.queryBias), (ws.dk, w.key, w.keyBias), (ws.dv, w.value, w.valueBias)] {
            Linear.backward(dinp: ws.dHidden.data, dweight: s.gradient(weight), dbias: s.gradient(bias),
                            dout: d.data, inp: x, weight: s.value(weight), rows: n, inDim: h, outDim: h,
                            precision: precision)
        }
    }
}
