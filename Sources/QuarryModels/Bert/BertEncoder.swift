import Foundation
import QuarryNN

/// A BERT-family transformer encoder on the QuarryNN core: token ids → last hidden states → sentence embedding.
///
/// All weights live in `store` (one allocation for values, one for gradients). Inference (`embed`,
/// `hiddenStates`) may be called from several threads: calls take turns on one set of activation buffers.
/// Training (`trainingForward`, `backward`, changing `store`) is for one thread at a time.
public final class BertEncoder {
    public let config: BertConfig
    /// How sentence embeddings are pooled from the last hidden states.
    public var pooling: SentencePooling
    /// Longest sequence the tokenizer should produce (`max_seq_length` of the sentence-transformers
    /// configuration, else the position table size).
    public var maxSequenceLength: Int
    /// Every weight, with gradients beside them.
    public let store: ParameterStore
    /// Input format of the layers' matrix products, inference and training alike (weights, activations and
    /// gradients are fp32 in memory either way).
    public var precision: Precision = BertEncoder.defaultPrecision
    /// The precision new encoders start with: fp32 unless a program sets it (the CLI's `--precision`).
    public static var defaultPrecision: Precision = .fp32
    /// The folder this encoder was loaded from, whose tokenizer and pooling files `save` copies.
    public internal(set) var sourceFolder: URL?
    let weights: BertWeights
    /// Extra `config.json` keys kept so a saved folder still loads in other tools.
    var originalConfigJSON: [String: Any]?
    lazy var inferenceActivations = BertActivations(config: config, keepsAllLayers: false)
    lazy var gradientWorkspace = BertGradientWorkspace()
    var trainingActivationPool: [BertActivations] = []
    /// Serialises inference calls, which share `inferenceActivations`.
    let inferenceLock = NSLock()

    /// A randomly initialised encoder (weights N(0, 0.02²), layer-norm gains 1, biases 0), reproducible by `seed`.
    public convenience init(config: BertConfig, pooling: SentencePooling = SentencePooling(), seed: UInt64 = 0) {
        self.init(uninitialized: config, pooling: pooling)
        var rng = Xoshiro256(seed: seed)
        for p in store.parameters {
            if p.name.hasSuffix("LayerNorm.weight") {
                store.value(p).update(repeating: 1, count: p.count)
            } else if p.shape.count >= 2 {
                rng.fillNormal(store.value(p), count: p.count, std: 0.02)
            }
        }
    }

    /// An encoder whose weights are all zero, to be filled by the caller (loading skips random initialisation).
    init(uninitialized config: BertConfig, pooling: SentencePooling) {
        precondition(config.problem == nil, config.problem ?? "")
        self.config = config
        self.pooling = pooling
        maxSequenceLength = config.maxPositions
        store = ParameterStore(BertWeights.layout(config))
        weights = BertWeights(store: store, config: config)
    }

    /// Loads a Hugging Face model folder: `config.json`, `model.safetensors` (names with or without `bert.`),
    /// and the sentence-transformers pooling configuration when present.
    public convenience init(contentsOf folder: URL) throws {
        let configURL = folder.appendingPathComponent("config.json")
        let config = try BertConfig(contentsOf: configURL)
        self.init(uninitialized: config, pooling: try SentencePooling(folder: folder))
        sourceFolder = folder
        originalConfigJSON = (try? JSONSerialization.jsonObject(with: Data(contentsOf: configURL))) as? [String: Any]
        let sentenceConfig = folder.appendingPathComponent("sentence_bert_config.json")
        if let object = (try? JSONSerialization.jsonObject(with: Data(contentsOf: sentenceConfig))) as? [String: Any],
           let length = object["max_seq_length"] as? Int, length > 0 {
            maxSequenceLength = min(length, config.maxPositions)
        }
        try loadWeights(from: folder.appendingPathComponent("model.safetensors"))
    }

    /// Copies every parameter from a safetensors file, converting F16/BF16 to Float.
    public func loadWeights(from url: URL) throws {
        let file = try SafetensorsFile(url: url)
        for p in store.parameters {
            guard let entry = file.entries[p.name] ?? file.entries["bert." + p.name] else {
                throw ModelFolderError(path: url.path, reason: "missing tensor \(p.name)")
            }
            guard entry.shape == p.shape else {
                throw ModelFolderError(path: url.path, reason: "tensor \(entry.name) has shape \(entry.shape), config needs \(p.shape)")
            }
            guard entry.dtype.isFloatingPoint else {
                throw ModelFolderError(path: url.path, reason: "tensor \(entry.name) has dtype \(entry.dtype.rawValue)")
            }
            try file.copy(entry, into: store.value(p))
        }
    }

    /// Hidden size = embedding dimension.
    public var dimension: Int { config.hiddenSize }

    /// Checks ids, type ids and length against the configuration.
    public func validate(_ batch: TokenBatch) throws {
        guard batch.length <= config.maxPositions else {
            throw EncoderInputError("sequence of \(batch.length) tokens exceeds the \(config.maxPositions) positions of the model")
        }
        if let bad = batch.ids.first(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
            throw EncoderInputError("token id \(bad) outside the vocabulary of \(config.vocabularySize)")
        }
        if let bad = batch.typeIds.first(where: { $0 < 0 || Int($0) >= config.typeVocabularySize }) {
            throw EncoderInputError("token type id \(bad) outside 0..<\(config.typeVocabularySize)")
        }
    }

    /// Last hidden states [B, T, C] of a batch (rows of padded positions are computed but meaningless).
    public func hiddenStates(_ batch: TokenBatch) throws -> [Float] {
        try validate(batch)
        inferenceLock.lock()
        defer { inferenceLock.unlock() }
        forward(batch, into: inferenceActivations)
        return inferenceActivations.lastHidden.array
    }

    /// Runs the encoder; `acts` decides whether every layer's intermediates are kept.
    func forward(_ batch: TokenBatch, into acts: BertActivations) {
        let c = config, b = batch.size, t = batch.length, n = b * t, h = c.hiddenSize
        acts.resize(batch: b, length: t, config: c)
        // Nothing to encode (every sequence empty): BLAS rejects zero leading dimensions.
        guard n > 0 else { return }
        let s = store, w = weights
        let sum = acts.embeddingSum.data
        batch.ids.withUnsafeBufferPointer { ids in
            Embedding.forward(out: sum, ids: ids.baseAddress!, table: s.value(w.words), rows: n, dim: h)
        }
        for row in 0..<n {
            let position = s.value(w.positions) + (row % t) * h
            let type = s.value(w.types) + Int(batch.typeIds[row]) * h
            let out = sum + row * h
            for j in 0..<h { out[j] += position[j] + type[j] }
        }
        LayerNorm.forward(out: acts.hidden[0].data, mean: acts.embeddingMean.data, rstd: acts.embeddingRstd.data,
                          inp: sum, weight: s.value(w.embeddingNorm), bias: s.value(w.embeddingNormBias),
                          rows: n, dim: h, eps: c.layerNormEpsilon)
        batch.mask.withUnsafeBufferPointer { mask in
            for l in 0..<c.layers {
                layerForward(l, acts: acts, mask: mask.baseAddress!, batch: b, length: t)
            }
        }
    }

    private func layerForward(_ l: Int, acts: BertActivations, mask: UnsafePointer<Float>, batch: Int, length: Int) {
        let c = config, n = batch * length, h = c.hiddenSize, i = c.intermediateSize
        let s = store, w = weights.layers[l], a = acts.layer(l)
        let x = acts.input(ofLayer: l).data, out = acts.output(ofLayer: l).data
        // Self-attention block: x[N,C] → q,k,v[N,C] → context[N,C] → LN(x + context·Woᵀ)
        for (out, weight, bias) in [(a.q, w.query, w.queryBias), (a.k, w.key, w.keyBias), (a.v, w.value, w.valueBias)] {
            Linear.forward(out: out.data, inp: x, weight: s.value(weight), bias: s.value(bias), rows: n, inDim: h, outDim: h,
                           precision: precision)
        }
        Attention.forward(out: a.context.data, probs: a.probs.data, q: a.q.data, k: a.k.data, v: a.v.data, mask: mask,
                          batch: batch, length: length, channels: h, heads: c.heads)
        Linear.forward(out: a.attentionSum.data, inp: a.context.data, weight: s.value(w.attentionOutput),
                       bias: s.value(w.attentionOutputBias), rows: n, inDim: h, outDim: h,
                       precision: precision)
        Residual.forward(out: a.attentionSum.data, a: a.attentionSum.data, b: x, count: n * h)
        LayerNorm.forward(out: a.attentionNormed.data, mean: a.mean1.data, rstd: a.rstd1.data, inp: a.attentionSum.data,
                          weight: s.value(w.attentionNorm), bias: s.value(w.attentionNormBias), rows: n, dim: h,
                          eps: c.layerNormEpsilon)
        // Feed-forward block: LN(h1 + GELU(h1·W1ᵀ)·W2ᵀ)  [N,C] → [N,I] → [N,C]
        Linear.forward(out: a.preActivation.data, inp: a.attentionNormed.data, weight: s.value(w.intermediate),
                       bias: s.value(w.intermediateBias), rows: n, inDim: h, outDim: i,
                       precision: precision)
        GELU.forward(out: a.activation.data, inp: a.preActivation.data, count: n * i)
        Linear.forward(out: a.outputSum.data, inp: a.activation.data, weight: s.value(w.output),
                       bias: s.value(w.outputBias), rows: n, inDim: i, outDim: h,
                       precision: precision)
        Residual.forward(out: a.outputSum.data, a: a.outputSum.data, b: a.attentionNormed.data, count: n * h)
        // In inference `out` aliases `x`, which is no longer read past this point.
        LayerNorm.forward(out: out, mean: a.mean2.data, rstd: a.rstd2.data, inp: a.outputSum.data,
                          weight: s.value(w.outputNorm), bias: s.value(w.outputNormBias), rows: n, dim: h,
                          eps: c.layerNormEpsilon)
    }
}

/// Token ids the encoder cannot take (out of vocabulary, too long).
public struct EncoderInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
