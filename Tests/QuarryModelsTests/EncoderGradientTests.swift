import Foundation
import QuarryModels
import QuarryNN
import QuarryTestSupport
import XCTest

/// The whole encoder's backward pass against finite differences, on a tiny random configuration.
final class EncoderGradientTests: XCTestCase {
    static let tiny = BertConfig(vocabularySize: 12, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 16,
                                 maxPositions: 6, layerNormEpsilon: 1e-6)
    static let sequences = [[1, 5, 7, 2], [1, 9, 2], [1, 5, 5, 3, 2]]

    /// An encoder with larger-than-default weights so that every layer is far from linear.
    func makeEncoder() -> BertEncoder {
        let encoder = BertEncoder(config: Self.tiny, seed: 11)
        var rng = Xoshiro256(seed: 12)
        for p in encoder.store.parameters {
            let std: Float = p.name.contains("LayerNorm") ? 0.2 : 0.5
            let v = encoder.store.value(p)
            for i in 0..<p.count { v[i] = (p.name.hasSuffix("LayerNorm.weight") ? 1 : 0) + std * rng.nextNormal() }
        }
        return encoder
    }

    func checkAllParameters(_ encoder: BertEncoder, loss: () throws -> Double) rethrows {
        let store = encoder.store, eps: Float = 1e-2
        var checked = 0
        for i in 0..<store.count {
            let analytic = store.gradients[i]
            let numeric = Float(try FiniteDifference.derivative(of: store.values, at: i, step: eps, loss: loss))
            let name = store.parameters.last { $0.offset <= i }!.name
            XCTAssertLessThanOrEqual(abs(analytic - numeric), 3e-3 + 5e-2 * max(abs(analytic), abs(numeric)),
                                     "\(name) at \(i): analytic \(analytic), numeric \(numeric)")
            if analytic != 0 { checked += 1 }
        }
        XCTAssertGreaterThan(checked, store.count / 2, "most parameters receive a gradient")
    }

    func testGradientOfPooledNormalisedEmbeddings() throws {
        let encoder = makeEncoder()
        let batch = TokenBatch(sequences: Self.sequences)
        var rng = Xoshiro256(seed: 13)
        let r = (0..<(batch.size * 8)).map { _ in rng.nextNormal() }
        func loss() throws -> Double {
            let e = try encoder.trainingForward(batch).embeddings
            return zip(e, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let pass = try encoder.trainingForward(batch)
        encoder.store.zeroGradients()
        encoder.backward(pass, embeddingGradient: r)
        try checkAllParameters(encoder, loss: loss)
    }

    func testGradientFromHiddenStates() throws {
        let encoder = makeEncoder()
        let batch = TokenBatch(sequences: Self.sequences)
        var rng = Xoshiro256(seed: 14)
        // Padded positions carry zero gradient, as a reader head over real tokens would give.
        let r = (0..<(batch.size * batch.length * 8)).map { i in batch.mask[i / 8] * rng.nextNormal() }
        func loss() throws -> Double {
            let h = try encoder.trainingForward(batch).hiddenStates
            return zip(h, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let pass = try encoder.trainingForward(batch)
        encoder.store.zeroGradients()
        encoder.backward(pass, hiddenGradient: r)
        try checkAllParameters(encoder, loss: loss)
    }

    func testTrainingAndInferenceForwardAgree() throws {
        let encoder = makeEncoder()
        let inference = try encoder.embed(Self.sequences)
        let training = try encoder.trainingForward(TokenBatch(sequences: Self.sequences)).embeddings
        for (a, b) in zip(inference, training) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testLivePassesKeepTheirOwnActivations() throws {
        let encoder = makeEncoder()
        let first = try encoder.trainingForward(TokenBatch(sequences: [[1, 2, 3]]))
        let hidden = first.hiddenStates
        for _ in 0..<3 { _ = try encoder.trainingForward(TokenBatch(sequences: [[4, 5], [6, 7]])) }
        let second = try encoder.trainingForward(TokenBatch(sequences: [[8, 9, 10, 11]]))
        XCTAssertEqual(first.hiddenStates, hidden)
        XCTAssertNotEqual(second.hiddenStates.count, hidden.count)
    }

    func testAdamWStepsReduceAContrastiveLoss() throws {
        let encoder = makeEncoder()
        let batch = TokenBatch(sequences: Self.sequences)
        let adam = AdamW(store: encoder.store, weightDecay: 0.01)
        let targets: [Int32] = [0, 1, 2]
        func step() throws -> Float {
            let pass = try encoder.trainingForward(batch)
            let e = pass.embeddings
            // Scores of every embedding against every other; the right answer is itself.
            let n = batch.size, d = encoder.dimension
            var scores = [Float](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { for k in 0..<d { scores[i * n + j] += e[i * d + k] * e[j * d + k] } } }
            let probs = Tensor(shape: [n, n])
            let loss = SoftmaxCrossEntropy.forward(probs: probs.data, logits: scores, targets: targets, rows: n, classes: n, scale: 5)
            let dScores = Tensor(shape: [n, n])
            SoftmaxCrossEntropy.backward(dlogits: dScores.data, probs: probs.data, targets: targets, rows: n, classes: n, scale: 5)
            var dE = [Float](repeating: 0, count: n * d)
            for i in 0..<n { for j in 0..<n { for k in 0..<d {
                dE[i * d + k] += dScores[i * n + j] * e[j * d + k]
                dE[j * d + k] += dScores[i * n + j] * e[i * d + k]
            } } }
            encoder.store.zeroGradients()
            encoder.backward(pass, embeddingGradient: dE)
            encoder.store.clipGradients(maxNorm: 1)
            adam.update(encoder.store, learningRate: 1e-2)
            return loss
        }
        let first = try step()
        var last = first
        for _ in 0..<20 { last = try step() }
        XCTAssertLessThan(last, first * 0.5, "loss \(first) → \(last)")
    }
}
