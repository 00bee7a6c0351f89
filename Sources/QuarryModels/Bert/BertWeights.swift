import QuarryNN

/// Where each BERT weight lives in the parameter store. Store names are the Hugging Face tensor names without
/// the `bert.` prefix, so saving writes them as they are.
struct BertWeights {
    struct Layer {
        let query, queryBias, key, keyBias, value, valueBias: ParameterStore.Parameter
        let attentionOutput, attentionOutputBias, attentionNorm, attentionNormBias: ParameterStore.Parameter
        let intermediate, intermediateBias, output, outputBias, outputNorm, outputNormBias: ParameterStore.Parameter
    }

    let words, positions, types, embeddingNorm, embeddingNormBias: ParameterStore.Parameter
    let layers: [Layer]

    /// (name, shape) of every parameter, in store order.
    static func layout(_ c: BertConfig) -> [(name: String, shape: [Int])] {
        let h = c.hiddenSize, i = c.intermediateSize
        var specs: [(name: String, shape: [Int])] = [
            ("embeddings.word_embeddings.weight", [c.vocabularySize, h]),
            ("embeddings.position_embeddings.weight", [c.maxPositions, h]),
            ("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h]),
            ("embeddings.LayerNorm.weight", [h]),
            ("embeddings.LayerNorm.bias", [h]),
        ]
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            specs += [
                (p + "attention.self.query.weight", [h, h]), (p + "attention.self.query.bias", [h]),
                (p + "attention.self.key.weight", [h, h]), (p + "attention.self.key.bias", [h]),
                (p + "attention.self.value.weight", [h, h]), (p + "attention.self.value.bias", [h]),
                (p + "attention.output.dense.weight", [h, h]), (p + "attention.output.dense.bias", [h]),
                (p + "attention.output.LayerNorm.weight", [h]), (p + "attention.output.LayerNorm.bias", [h]),
                (p + "intermediate.dense.weight", [i, h]), (p + "intermediate.dense.bias", [i]),
                (p + "output.dense.weight", [h, i]), (p + "output.dense.bias", [h]),
                (p + "output.LayerNorm.weight", [h]), (p + "output.LayerNorm.bias", [h]),
            ]
        }
        return specs
    }

    init(store: ParameterStore, config: BertConfig) {
        func p(_ name: String) -> ParameterStore.Parameter { store.parameter(named: name)! }
        words = p("embeddings.word_embeddings.weight")
        positions = p("embeddings.position_embeddings.weight")
        types = p("embeddings.token_type_embeddings.weight")
        embeddingNorm = p("embeddings.LayerNorm.weight")
        embeddingNormBias = p("embeddings.LayerNorm.bias")
        layers = (0..<config.layers).map { l in
            let s = "encoder.layer.\(l)."
            return Layer(
                query: p(s + "attention.self.query.weight"), queryBias: p(s + "attention.self.query.bias"),
                key: p(s + "attention.self.key.weight"), keyBias: p(s + "attention.self.key.bias"),
                value: p(s + "attention.self.value.weight"), valueBias: p(s + "attention.self.value.bias"),
                attentionOutput: p(s + "attention.output.dense.weight"),
                attentionOutputBias: p(s + "attention.output.dense.bias"),
                attentionNorm: p(s + "attention.output.LayerNorm.weight"),
                attentionNormBias: p(s + "attention.output.LayerNorm.bias"),
                intermediate: p(s + "intermediate.dense.weight"), intermediateBias: p(s + "intermediate.dense.bias"),
                output: p(s + "output.dense.weight"), outputBias: p(s + "output.dense.bias"),
                outputNorm: p(s + "output.LayerNorm.weight"), outputNormBias: p(s + "output.LayerNorm.bias"))
        }
    }
}
