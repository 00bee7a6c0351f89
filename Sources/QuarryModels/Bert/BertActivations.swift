import QuarryNN

/// What one transformer layer computes for a batch, kept for its backward pass.
final class BertLayerActivations {
    // [N, C] with N = B·T
    let q = Tensor(shape: [0]), k = Tensor(shape: [0]), v = Tensor(shape: [0]), context = Tensor(shape: [0])
    let attentionSum = Tensor(shape: [0]), attentionNormed = Tensor(shape: [0]), outputSum = Tensor(shape: [0])
    // [B, H, T, T]
    let probs = Tensor(shape: [0])
    // [N, I]
    let preActivation = Tensor(shape: [0]), activation = Tensor(shape: [0])
    // [N]
    let mean1 = Tensor(shape: [0]), rstd1 = Tensor(shape: [0]), mean2 = Tensor(shape: [0]), rstd2 = Tensor(shape: [0])

    func resize(batch: Int, length: Int, config: BertConfig) {
        let n = batch * length, c = config.hiddenSize, i = config.intermediateSize
        for t in [q, k, v, context, attentionSum, attentionNormed, outputSum] { t.reshape([n, c]) }
        probs.reshape([batch, config.heads, length, length])
        preActivation.reshape([n, i])
        activation.reshape([n, i])
        for t in [mean1, rstd1, mean2, rstd2] { t.reshape([n]) }
    }
}

/// Every intermediate of one encoder forward pass. Inference keeps one layer's worth and reuses it; training
/// keeps every layer.
final class BertActivations {
    let keepsAllLayers: Bool
    /// [N, C] sum of word, position and type embeddings (input of the embedding layer norm).
    let embeddingSum = Tensor(shape: [0])
    let embeddingMean = Tensor(shape: [0]), embeddingRstd = Tensor(shape: [0])
    /// hidden[0] is the embedding output; hidden[l + 1] the output of layer l (inference: one buffer, in place).
    var hidden: [Tensor]
    var layers: [BertLayerActivations]

    init(config: BertConfig, keepsAllLayers: Bool) {
        self.keepsAllLayers = keepsAllLayers
        let count = keepsAllLayers ? config.layers : 1
        layers = (0..<count).map { _ in BertLayerActivations() }
        hidden = (0..<(keepsAllLayers ? config.layers + 1 : 1)).map { _ in Tensor(shape: [0]) }
    }

    func resize(batch: Int, length: Int, config: BertConfig) {
        let n = batch * length
        embeddingSum.reshape([n, config.hiddenSize])
        embeddingMean.reshape([n])
        embeddingRstd.reshape([n])
        for h in hidden { h.reshape([n, config.hiddenSize]) }
        for l in layers { l.resize(batch: batch, length: length, config: config) }
    }

    func layer(_ l: Int) -> BertLayerActivations { layers[keepsAllLayers ? l : 0] }
    func input(ofLayer l: Int) -> Tensor { hidden[keepsAllLayers ? l : 0] }
    func output(ofLayer l: Int) -> Tensor { hidden[keepsAllLayers ? l + 1 : 0] }
    var lastHidden: Tensor { hidden[hidden.count - 1] }
}
