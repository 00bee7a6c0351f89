import QuarryNN

extension BertEncoder {
    /// Sentence embeddings of token-id sequences (each with its `[CLS]`/`[SEP]`, at most `maxSequenceLength`
    /// ids long is what the tokenizer should give; up to the model's positions is accepted): n × `dimension`
    /// floats, row-major, in input order, pooled and normalised as `pooling` says.
    ///
    /// Sequences are sorted by length and cut into batches of at most `maxBatch` sequences and about
    /// `maxTokens` padded tokens, so little work is spent on padding.
    public func embed(_ sequences: [[Int]], maxBatch: Int = 32, maxTokens: Int = 4096) throws -> [Float] {
        let dim = dimension
        var result = [Float](repeating: 0, count: sequences.count * dim)
        // Longest batch first: the activation buffers then grow once, not at nearly every batch (fresh
        // pages cost a fault each).
        let batches = LengthBuckets.batches(lengths: sequences.map(\.count), maxBatch: maxBatch, maxTokens: maxTokens)
        for indices in batches.reversed() {
            let batch = TokenBatch(sequences: indices.map { sequences[$0] })
            let embeddings = try embed(batch)
            result.withUnsafeMutableBufferPointer { out in
                embeddings.withUnsafeBufferPointer { e in
                    for (row, index) in indices.enumerated() {
                        (out.baseAddress! + index * dim).update(from: e.baseAddress! + row * dim, count: dim)
                    }
                }
            }
        }
        return result
    }

    /// Sentence embeddings of one padded batch: B × `dimension` floats.
    public func embed(_ batch: TokenBatch) throws -> [Float] {
        try validate(batch)
        inferenceLock.lock()
        defer { inferenceLock.unlock() }
        let acts = inferenceActivations
        forward(batch, into: acts)
        let pooled = Tensor(shape: [batch.size, dimension])
        pool(acts.lastHidden.data, batch: batch, into: pooled.data)
        if pooling.normalize {
            L2Normalize.forward(out: pooled.data, norms: nil, inp: pooled.data, rows: batch.size, dim: dimension)
        }
        return pooled.array
    }

    /// [B, T, C] → [B, C] by the configured pooling mode.
    func pool(_ hidden: UnsafePointer<Float>, batch: TokenBatch, into out: UnsafeMutablePointer<Float>) {
        let c = dimension
        switch pooling.mode {
        case .mean:
            batch.mask.withUnsafeBufferPointer { mask in
                MeanPooling.forward(out: out, inp: hidden, mask: mask.baseAddress!, batch: batch.size,
                                    length: batch.length, channels: c)
            }
        case .cls:
            for b in 0..<batch.size { (out + b * c).update(from: hidden + b * batch.length * c, count: c) }
        }
    }
}
