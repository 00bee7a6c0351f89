import Foundation
import QuarryModels

/// What a training run measures besides its loss: top-k accuracy through the sampling cache (and through
/// fresh embeddings), the top-K sampling-fidelity probe, and the softmax fidelity against the whole corpus
/// embedded fresh. Every passage these encode is counted in the ledger as a probe or evaluation pass.
extension RetrieverTrainer {
    /// Evaluates on the evaluation questions against the search matrix and runs the fidelity probe.
    func evaluateAndProbe() throws {
        bringCorrectedCacheUpToDate()
        if let record = try evaluate(against: searchMatrix, index: correctedCache == nil ? "cache" : "corrected") {
            log("eval at step \(progress.step) (\(record.index)): " + record.accuracy.summary)
        }
        if configuration.fidelityQuestions > 0 { try measureAgainstFreshCorpus() }
        if let measured = try measureFidelity() {
            fidelity.append(measured)
            try metrics?.append(FidelityRecord(step: progress.step, fidelity: measured))
            log(String(format: "fidelity at step %d: top-%d overlap stale %.3f%@, drift ‖g′−g‖² %.5f%@", progress.step, measured.k,
                       measured.staleOverlap, measured.correctedOverlap.map { String(format: " corrected %.3f", $0) as NSString } ?? "",
                       measured.staleSquaredError,
                       measured.correctorSquaredError.map { String(format: " ‖h(g′)−g‖² %.5f", $0) as NSString } ?? ""))
        }
    }

    /// Re-embeds the whole corpus with the current passage encoder (counted as `probe` passes): evaluates on it
    /// (`reembedded`: what serving this step's encoders would give, at training length) and measures how far
    /// each sampling softmax is from the fresh one on the fidelity questions.
    func measureAgainstFreshCorpus() throws {
        let fresh = try embedCorpus(purpose: .probe)
        if let record = try evaluate(against: fresh, index: EvaluationRecord.reembeddedIndex) {
            log("eval at step \(progress.step) (reembedded): " + record.accuracy.summary)
        }
        let held: [(tokens: [Int], excluded: Set<Int>)] = evaluation.isEmpty
            ? questions.map { ($0.queryTokens, Set($0.answerBearing)) }
            : evaluation.map { ($0.queryTokens, $0.answerBearing) }
        let chosen = Array(held.prefix(configuration.fidelityQuestions))
        guard !chosen.isEmpty else { return }
        let queries = try encoders.query.embed(chosen.map(\.tokens))
        let measured = try fresh.withUnsafeBufferPointer { f in
            try cache.withUnsafeBufferPointer { stale in
                try withOptionalPointer(correctedCache) { corrected in
                    try SoftmaxFidelityMeasure.measure(step: progress.step, queries: queries, fresh: f.baseAddress!, stale: stale.baseAddress!,
                                                   corrected: corrected, rows: corpus.count, dimension: dimension,
                                                   inverseTemperature: configuration.scale / configuration.temperature,
                                                   excluded: chosen.map(\.excluded), candidates: configuration.correctCandidates)
                }
            }
        }
        softmaxFidelity.append(measured)
        try metrics?.append(SoftmaxFidelityRecord(step: progress.step, fidelity: measured))
        log(String(format: "softmax fidelity at step %d (%d questions): KL(fresh‖stale) %.3f%@, top-%d recall stale %.3f%@",
                   progress.step, measured.questions, measured.staleKL,
                   measured.correctedKL.map { String(format: " KL(fresh‖corrected) %.3f", $0) as NSString } ?? "",
                   measured.k, measured.staleRecall,
                   measured.correctedRecall.map { String(format: " corrected %.3f", $0) as NSString } ?? "")
            + (measured.candidates.map { String(format: "; among the stale top-%d: fresh mass %.3f, top-%d recall %.3f", $0,
                                                measured.candidateMass ?? 0, measured.k, measured.candidateRecall ?? 0) } ?? ""))
    }

    func measureFidelity() throws -> SamplingFidelity? {
        try cache.withUnsafeBufferPointer { stale in
            try withOptionalPointer(correctedCache) { corrected in
                try probe.measure(step: progress.step, queryEncoder: encoders.query, stale: stale.baseAddress!, corrected: corrected,
                                  rows: corpus.count, trainedRows: trainedRows) { rows in
                    try embedRows(rows, purpose: .probe)
                }
            }
        }
    }

    /// Embeds corpus rows with the current passage encoder (inference), counted in the ledger under `purpose`.
    public func embedRows(_ rows: [Int], purpose: EncoderPassPurpose) throws -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(rows.count * dimension)
        var start = 0
        while start < rows.count {
            let part = rows[start..<min(start + 256, rows.count)]
            var seconds = 0.0
            let embedded = try timed(&seconds) { try encoders.passage.embed(part.map { corpus.tokens[$0] }) }
            progress.ledger.record(purpose, passes: part.count, seconds: seconds)
            result.append(contentsOf: embedded)
            start += part.count
        }
        return result
    }

    /// Re-embeds the whole corpus with the current g (counted as `purpose`), e.g. for a final fresh evaluation.
    public func embedCorpus(purpose: EncoderPassPurpose) throws -> [Float] {
        try embedRows(Array(0..<corpus.count), purpose: purpose)
    }

    /// Evaluates against any [rows, d] matrix (e.g. a fresh re-embedding) and logs it under `index`.
    @discardableResult
    public func evaluate(against matrix: [Float], index: String) throws -> EvaluationRecord? {
        guard !evaluation.isEmpty else { return nil }
        let accuracy = try matrix.withUnsafeBufferPointer {
            try RetrievalEvaluation.evaluate(evaluation, queryEncoder: encoders.query, matrix: $0.baseAddress!, rows: corpus.count)
        }
        let record = EvaluationRecord(step: progress.step, index: index, accuracy: accuracy,
                                      reembeddedPassages: progress.ledger.reembeddedPasses, encoderPasses: progress.ledger.totalPasses)
        evaluations.append(record)
        try metrics?.append(record)
        return record
    }
}
