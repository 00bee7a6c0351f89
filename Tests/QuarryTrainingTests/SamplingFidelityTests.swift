import QuarryNN
import QuarryTestSupport
@testable import QuarryTraining
import XCTest

final class SamplingFidelityTests: XCTestCase {
    /// The score loss's gradient with respect to the corrected embeddings matches central differences.
    func testScoreDistillationGradientMatchesFiniteDifferences() {
        let n = 3, m = 5, d = 4, scale: Float = 3
        var rng = Xoshiro256(seed: 41)
        func normal(_ count: Int) -> [Float] {
            var x = [Float](repeating: 0, count: count)
            x.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: count, std: 0.5) }
            return x
        }
        let queries = normal(n * d), fresh = normal(m * d)
        let corrected = Tensor(shape: [m, d])
        corrected.data.update(from: normal(m * d), count: m * d)
        func loss(_ gradient: UnsafeMutablePointer<Float>? = nil) -> Double {
            Double(ScoreDistillationLoss.forward(queries: queries, fresh: fresh, corrected: corrected.data, questions: n, passages: m,
                                                 dimension: d, scale: scale, gradient: gradient))
        }
        var analytic = [Float](repeating: 0, count: m * d)
        _ = analytic.withUnsafeMutableBufferPointer { loss($0.baseAddress!) }
        for i in 0..<corrected.count {
            XCTAssertEqual(FiniteDifference.derivative(of: corrected.data, at: i, loss: { loss() }), Double(analytic[i]),
                           accuracy: 2e-3, "element \(i)")
        }
        corrected.data.update(from: fresh, count: m * d)
        XCTAssertEqual(loss(), 0, accuracy: 1e-6, "no divergence when the corrected embeddings are the fresh ones")
    }

    /// KL divergence and recall against values worked by hand: two passages of three allowed, scores
    /// fresh (ln 3, 0) and stale (0, 0) at scale 1 give p = (3/4, 1/4), q = (1/2, 1/2),
    /// KL = 3/4·ln(3/2) + 1/4·ln(1/2); the excluded passage is left out of both softmaxes.
    func testSoftmaxFidelityAgainstHandValues() throws {
        // One question q = (1, 0); passages are rows of (x, 0), so a score is x.
        let queries: [Float] = [1, 0]
        let fresh: [Float] = [Float(log(3.0)), 0, 0, 0, 9, 0]
        let stale: [Float] = [0, 0, 0, 0, -9, 0]
        let corrected = fresh
        let measured = try fresh.withUnsafeBufferPointer { f in
            try stale.withUnsafeBufferPointer { s in
                try corrected.withUnsafeBufferPointer { c in
                    try SoftmaxFidelityMeasure.measure(step: 7, queries: queries, fresh: f.baseAddress!, stale: s.baseAddress!,
                                                   corrected: c.baseAddress!, rows: 3, dimension: 2, inverseTemperature: 1,
                                                   excluded: [[2]], k: 1)
                }
            }
        }
        XCTAssertEqual(measured.staleKL, 0.75 * log(1.5) + 0.25 * log(0.5), accuracy: 1e-6)
        XCTAssertEqual(measured.correctedKL ?? -1, 0, accuracy: 1e-9)
        // Fresh top-1 is row 0; the stale scores tie rows 0 and 1, and a tie goes to the lower row.
        XCTAssertEqual(measured.staleRecall, 1)
        XCTAssertEqual(measured.correctedRecall, 1)
        XCTAssertEqual([measured.step, measured.questions, measured.k], [7, 1, 1])
        XCTAssertNil(measured.candidateMass, "no candidates asked for")

        // Candidates: the stale top-1 of the two allowed rows is row 0 (the tie goes to the lower row), which
        // holds 3/4 of the fresh mass, and is the fresh top-1; with both rows the truncation loses nothing.
        for (m, mass) in [(1, 0.75), (2, 1.0)] {
            let truncated = try fresh.withUnsafeBufferPointer { f in
                try stale.withUnsafeBufferPointer { s in
                    try corrected.withUnsafeBufferPointer { c in
                        try SoftmaxFidelityMeasure.measure(step: 7, queries: queries, fresh: f.baseAddress!, stale: s.baseAddress!,
                                                           corrected: c.baseAddress!, rows: 3, dimension: 2, inverseTemperature: 1,
                                                           excluded: [[2]], k: 1, candidates: m)
                    }
                }
            }
            XCTAssertEqual(truncated.candidates, m)
            XCTAssertEqual(truncated.candidateMass ?? -1, mass, accuracy: 1e-6)
            XCTAssertEqual(truncated.candidateRecall, 1)
        }
        // A stale cache that ranks row 1 first offers only row 1: a quarter of the mass, not the fresh top-1.
        let misled: [Float] = [0, 0, 1, 0, -9, 0]
        let narrow = try fresh.withUnsafeBufferPointer { f in
            try misled.withUnsafeBufferPointer { s in
                try corrected.withUnsafeBufferPointer { c in
                    try SoftmaxFidelityMeasure.measure(step: 7, queries: queries, fresh: f.baseAddress!, stale: s.baseAddress!,
                                                       corrected: c.baseAddress!, rows: 3, dimension: 2, inverseTemperature: 1,
                                                       excluded: [[2]], k: 1, candidates: 1)
                }
            }
        }
        XCTAssertEqual(narrow.candidateMass ?? -1, 0.25, accuracy: 1e-6)
        XCTAssertEqual(narrow.candidateRecall, 0)
    }

    /// Sampled corrector rows are counted in the ledger, and the fidelity measure is logged at every evaluation.
    func testCorrectorSamplesAndFidelityAreLoggedAndCounted() throws {
        let fixture = try SyntheticRetrievalFixture(testCase: self)
        var configuration = SyntheticRetrievalFixture.configuration("corrected", steps: 4)
        configuration.correctorSamples = 3
        configuration.correctorLoss = "mse+scores"
        configuration.fidelityQuestions = 10
        configuration.evalEvery = 2
        configuration.probeQuestions = 0
        var session = fixture.session(name: "variants", configuration)
        session.evaluationQA = fixture.trainingQA
        let outcome = try session.run()
        let ledger = outcome.trainer.progress.ledger
        XCTAssertEqual(ledger.entry(.correctorSample).passes, 4 * 3)
        XCTAssertEqual(ledger.entry(.probe).passes, 3 * fixture.passageCount, "a re-embedding at steps 0, 2 and 4")
        let fidelity = outcome.trainer.softmaxFidelity
        XCTAssertEqual(fidelity.map(\.step), [0, 2, 4])
        XCTAssertEqual(fidelity[0].staleKL, fidelity[0].correctedKL ?? -1, accuracy: 1e-9, "h is the identity at step 0")
        XCTAssertEqual(fidelity[0].staleKL, 0, accuracy: 1e-6, "nothing has drifted at step 0")
        XCTAssertGreaterThan(fidelity[2].staleKL, 0)
        XCTAssertEqual(outcome.trainer.evaluations.filter { $0.index == "reembedded" }.map(\.step), [0, 2, 4])
    }
}
