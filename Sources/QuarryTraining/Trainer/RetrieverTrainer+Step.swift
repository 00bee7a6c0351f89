import Foundation
import QuarryModels
import QuarryNN

extension RetrieverTrainer {
    /// One training step; returns what it did.
    @discardableResult
    public func step() throws -> StepRecord {
        let s = progress.step, d = dimension
        var t = StepTimings()
        let started = DispatchTime.now().uptimeNanoseconds
        if let interval = strategy.refreshInterval, s > 0, s % interval == 0 {
            try timed(&t.refresh) { cache = try embedCorpus(purpose: .refresh) }
        }
        let batch = schedule.batch(at: s).map { questions[$0] }
        encoders.zeroGradients()

        let queryPass = try timed(&t.queryForward) {
            try encoders.query.trainingForward(TokenBatch(sequences: batch.map(\.queryTokens)))
        }
        let queryEmbeddings = queryPass.embeddings
        let negatives = try drawNegatives(for: batch, queries: queryEmbeddings, step: s, timings: &t)

        // Unique passages: positives first, then the drawn negatives.
        var rows: [Int] = [], position: [Int: Int] = [:]
        for row in batch.map(\.positive) + negatives.joined() where position[row] == nil {
            position[row] = rows.count
            rows.append(row)
        }
        let targets = batch.map { Int32(position[$0.positive]!) }
        var encodeSeconds = 0.0
        let passagePass = try timed(&encodeSeconds) {
            try encoders.passage.trainingForward(TokenBatch(sequences: rows.map { corpus.tokens[$0] }))
        }
        t.passageForward = encodeSeconds
        progress.ledger.record(.trainingStep, passes: rows.count, seconds: encodeSeconds)
        let passageEmbeddings = passagePass.embeddings

        let answerSets = batch.map { Set($0.answerBearing) }
        let result = timed(&t.loss) {
            queryEmbeddings.withUnsafeBufferPointer { q in
                passageEmbeddings.withUnsafeBufferPointer { p in
                    ContrastiveLoss(scale: configuration.scale).evaluate(
                        queries: q.baseAddress!, passages: p.baseAddress!, rows: batch.count, passageRows: rows.count,
                        dimension: d, targets: targets) { i, m in answerSets[i].contains(rows[m]) }
                }
            }
        }
        timed(&t.backward) {
            encoders.query.backward(queryPass, embeddingGradient: result.queryGradient)
            encoders.passage.backward(passagePass, embeddingGradient: result.passageGradient)
        }
        let rate = learningRates.rate(at: s)
        let norm = timed(&t.optimizer) { () -> Float in
            let norm = encoders.clipGradients(maxNorm: configuration.clipNorm)
            for (optimizer, store) in zip(optimizers, encoders.stores) { optimizer.update(store, learningRate: rate) }
            return norm
        }
        let drift = try timed(&t.corrector) { try fitCorrector(rows: rows, fresh: passageEmbeddings, queries: queryEmbeddings, step: s) }

        progress.step += 1
        t.total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        progress.timingTotals.add(t)
        progress.timedSteps += 1
        return StepRecord(step: progress.step, loss: result.loss, driftLoss: drift, learningRate: rate,
                          gradientNorm: norm, passagesEncoded: rows.count, timings: t)
    }

    /// K negatives per question by the strategy; never a passage holding one of the question's answers.
    func drawNegatives(for batch: [SupervisedQuestion], queries: [Float], step: Int, timings t: inout StepTimings) throws -> [[Int]] {
        let k = configuration.samples
        switch strategy {
        case .inBatch:
            return batch.map { _ in [] }
        case .bm25:
            return batch.map { Array($0.bm25Negatives.prefix(k)) }
        case .stale, .corrected, .refresh, .exact:
            guard k > 0 else { return batch.map { _ in [] } }
            let n = corpus.count
            let useCorrected = strategy.usesCorrector && step >= configuration.correctorWarmupSteps
            if useCorrected && configuration.correctCandidates > 0 {
                return drawCorrectedAmongCandidates(for: batch, queries: queries, candidates: configuration.correctCandidates, timings: &t)
            }
            let scores = timed(&t.scoring) {
                batchScores(queries, against: useCorrected ? correctedCache! : cache, rows: n, scale: configuration.scale)
            }
            return timed(&t.sampling) {
                batch.enumerated().map { i, question in
                    drawSamples(from: UnsafeBufferPointer(start: scores.data + i * n, count: n), excluding: Set(question.answerBearing))
                }
            }
        }
    }

    /// One update of the corrector on the rows this step encoded fresh (plus `correctorSamples` rows drawn
    /// uniformly and encoded for it alone), and the corrected cache recomputed when due. Returns the drift
    /// loss, or nil without a corrector.
    func fitCorrector(rows stepRows: [Int], fresh stepFresh: [Float], queries: [Float], step: Int) throws -> Float? {
        guard let corrector else { return nil }
        var rows = stepRows, fresh = stepFresh
        let extra = uniformRows(excluding: Set(stepRows), step: step)
        if !extra.isEmpty {
            rows += extra
            fresh += try embedRows(extra, purpose: .correctorSample)
        }
        let loss = corrector.fit(stale: cacheRows(rows), fresh: fresh, rows: rows.count,
                                 loss: CorrectorLoss(rawValue: configuration.correctorLoss) ?? .mse,
                                 queries: queries, scale: configuration.scale)
        for row in rows where trainedRows.insert(row).inserted { progress.correctorTrainedRows.append(row) }
        if configuration.correctCandidates > 0 {
            correctedCacheLags = true
        } else if (step + 1) % configuration.correctEvery == 0 {
            recomputeCorrectedCache()
        }
        return loss
    }

    /// Negatives from the corrected softmax restricted to candidates: each question's `m` best rows in the
    /// stale cache (one product with the cache, as the stale strategy does), pooled over
    /// the batch, corrected, scored and sampled. The corrector runs on at most B·M rows, whatever the corpus.
    func drawCorrectedAmongCandidates(for batch: [SupervisedQuestion], queries: [Float], candidates m: Int,
                                      timings t: inout StepTimings) -> [[Int]] {
        let n = corpus.count, d = dimension
        let stale = timed(&t.scoring) { batchScores(queries, against: cache, rows: n, scale: 1) }
        let candidates: [Int] = timed(&t.sampling) {
            var pooled = Set<Int>()
            for (i, question) in batch.enumerated() {
                let row = UnsafeBufferPointer(start: stale.data + i * n, count: n)
                pooled.formUnion(GumbelTopKSampler.topK(scores: row, k: m, excluding: Set(question.answerBearing)))
            }
            return pooled.sorted()
        }
        guard !candidates.isEmpty else { return batch.map { _ in [] } }
        var corrected = [Float](repeating: 0, count: candidates.count * d)
        timed(&t.corrector) {
            let gathered = cacheRows(candidates)
            corrected.withUnsafeMutableBufferPointer { corrector!.network.apply(to: gathered, rows: candidates.count, into: $0.baseAddress!) }
        }
        let scores = timed(&t.scoring) { batchScores(queries, against: corrected, rows: candidates.count, scale: configuration.scale) }
        return timed(&t.sampling) {
            batch.enumerated().map { i, question in
                let row = UnsafeBufferPointer(start: scores.data + i * candidates.count, count: candidates.count)
                let answerBearing = Set(question.answerBearing)
                // Another question's candidates may hold this one's answers.
                let excluded = Set(candidates.indices.filter { answerBearing.contains(candidates[$0]) })
                return drawSamples(from: row, excluding: excluded).map { candidates[$0] }
            }
        }
    }

    /// scale·Q·Mᵀ: the batch's questions against the first `rows` rows of `matrix`, [questions, rows].
    private func batchScores(_ queries: [Float], against matrix: [Float], rows: Int, scale: Float) -> Tensor {
        let b = queries.count / dimension
        let scores = Tensor(shape: [b, rows])
        queries.withUnsafeBufferPointer { q in
            matrix.withUnsafeBufferPointer { m in
                BLAS.gemm(transB: true, m: b, n: rows, k: dimension, alpha: scale, a: q.baseAddress!, b: m.baseAddress!, c: scores.data)
            }
        }
        return scores
    }

    /// The sampling cache's rows at `indices`, in that order, as one [indices.count, d] matrix.
    private func cacheRows(_ indices: [Int]) -> [Float] {
        let d = dimension
        var out = [Float](repeating: 0, count: indices.count * d)
        cache.withUnsafeBufferPointer { c in
            out.withUnsafeMutableBufferPointer { o in
                for (j, row) in indices.enumerated() { (o.baseAddress! + j * d).update(from: c.baseAddress! + row * d, count: d) }
            }
        }
        return out
    }

    /// K negatives from one question's scores by the configured sampler, never an index in `excluded`.
    private func drawSamples(from scores: UnsafeBufferPointer<Float>, excluding excluded: Set<Int>) -> [Int] {
        if configuration.sampler == "top-k" { return GumbelTopKSampler.topK(scores: scores, k: configuration.samples, excluding: excluded) }
        return sampler.sample(scores: scores, k: configuration.samples, excluding: excluded, using: &progress.random)
    }

    /// Recomputes h(g′(Y)) if the corrector changed since it was last computed (`correctCandidates` runs).
    func bringCorrectedCacheUpToDate() {
        guard correctedCacheLags else { return }
        recomputeCorrectedCache()
        correctedCacheLags = false
    }

    /// `correctorSamples` distinct rows outside `excluded`, drawn from a generator seeded by the run's seed
    /// and the step, so a resumed run draws the same rows without keeping any state.
    func uniformRows(excluding excluded: Set<Int>, step: Int) -> [Int] {
        let wanted = min(configuration.correctorSamples, corpus.count - excluded.count)
        guard wanted > 0 else { return [] }
        var generator = Xoshiro256(seed: configuration.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step))
        var chosen: [Int] = [], seen = excluded
        while chosen.count < wanted {
            let row = Int(generator.next() % UInt64(corpus.count))
            if seen.insert(row).inserted { chosen.append(row) }
        }
        return chosen
    }

    /// h(g′(Y)) over the whole cache (two sgemms per block of rows).
    func recomputeCorrectedCache() {
        guard let corrector else { return }
        var out = [Float](repeating: 0, count: cache.count)
        cache.withUnsafeBufferPointer { c in
            out.withUnsafeMutableBufferPointer { o in
                corrector.network.apply(to: c.baseAddress!, rows: corpus.count, into: o.baseAddress!)
            }
        }
        correctedCache = out
        progress.correctedCacheRecomputations += 1
    }
}
