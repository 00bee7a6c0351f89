import QuarryNN
import QuarryTestSupport
@testable import QuarryTraining
import XCTest

final class CorrectorNetworkTests: XCTestCase {
    /// An untrained corrector is the identity (W2 = 0, b2 = 0).
    func testStartsAsTheIdentity() {
        let net = CorrectorNetwork(dimension: 6, width: 10, seed: 3)
        var rng = Xoshiro256(seed: 5)
        var input = [Float](repeating: 0, count: 4 * 6)
        input.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count, std: 1) }
        XCTAssertEqual(net.trainingForward(input, rows: 4).output.array, input)
    }

    /// Analytic gradients of the drift loss match central differences for every parameter.
    func testGradientsMatchFiniteDifferences() {
        let d = 5, w = 7, rows = 3
        let net = CorrectorNetwork(dimension: d, width: w, seed: 11)
        var rng = Xoshiro256(seed: 12)
        // Give W2 and the biases non-zero values so every path carries gradient.
        for p in net.store.parameters where p.name != "w1" { rng.fillNormal(net.store.value(p), count: p.count, std: 0.3) }
        var stale = [Float](repeating: 0, count: rows * d), fresh = stale
        stale.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count, std: 1) }
        fresh.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count, std: 1) }

        func loss() -> Double {
            let pass = net.trainingForward(stale, rows: rows)
            return Double(fresh.withUnsafeBufferPointer {
                DriftLoss.forward(corrected: pass.output.data, fresh: $0.baseAddress!, rows: rows, dimension: d, gradient: nil)
            })
        }
        net.store.zeroGradients()
        let pass = net.trainingForward(stale, rows: rows)
        let gradient = Tensor(shape: [rows, d])
        _ = fresh.withUnsafeBufferPointer {
            DriftLoss.forward(corrected: pass.output.data, fresh: $0.baseAddress!, rows: rows, dimension: d, gradient: gradient.data)
        }
        net.backward(pass, outputGradient: gradient.data)

        var worst = 0.0
        for i in 0..<net.store.count {
            let numeric = FiniteDifference.derivative(of: net.store.values, at: i, loss: loss)
            let analytic = Double(net.store.gradients[i])
            worst = max(worst, abs(numeric - analytic) / max(1, abs(numeric)))
        }
        XCTAssertLessThan(worst, 2e-3, "largest relative gradient error over \(net.store.count) parameters")
    }

    /// Trained only by the drift loss on part of a cache, the corrector learns a random rotation plus shift
    /// and predicts the moved embeddings of rows it never saw.
    func testRecoversASyntheticDrift() {
        let d = 8, n = 3000, trainRows = 2000
        var rng = Xoshiro256(seed: 21)
        var stale = [Float](repeating: 0, count: n * d)
        stale.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count, std: 1) }
        for r in 0..<n {  // unit rows, as sentence embeddings are
            var norm: Float = 0
            for j in 0..<d { norm += stale[r * d + j] * stale[r * d + j] }
            for j in 0..<d { stale[r * d + j] /= norm.squareRoot() }
        }
        let rotation = randomRotation(d, &rng)
        var shift = [Float](repeating: 0, count: d)
        shift.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: d, std: 0.2) }
        var fresh = [Float](repeating: 0, count: n * d)
        for r in 0..<n {
            for i in 0..<d {
                var s = shift[i]
                for j in 0..<d { s += rotation[i * d + j] * stale[r * d + j] }
                fresh[r * d + i] = s
            }
        }
        let trainer = CorrectorTrainer(network: CorrectorNetwork(dimension: d, width: 64, seed: 2), learningRate: 3e-3)
        let initialError = meanError(trainer.network, stale, fresh, rows: trainRows..<n, d: d)
        var sampler = SamplerRandom(seed: 4)
        for _ in 0..<2500 {
            let rows = (0..<32).map { _ in Int.random(in: 0..<trainRows, using: &sampler) }
            trainer.fit(stale: rows.flatMap { Array(stale[$0 * d..<($0 + 1) * d]) },
                        fresh: rows.flatMap { Array(fresh[$0 * d..<($0 + 1) * d]) }, rows: rows.count)
        }
        let finalError = meanError(trainer.network, stale, fresh, rows: trainRows..<n, d: d)
        XCTAssertGreaterThan(initialError, 0.1, "the drift is large to begin with")
        XCTAssertLessThan(finalError, 0.02 * initialError, "held-out error \(finalError) against \(initialError) at the start")
    }

    private func meanError(_ net: CorrectorNetwork, _ stale: [Float], _ fresh: [Float], rows: Range<Int>, d: Int) -> Float {
        let input = Array(stale[rows.lowerBound * d..<rows.upperBound * d])
        var out = [Float](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { net.apply(to: i.baseAddress!, rows: rows.count, into: $0.baseAddress!) } }
        let target = Array(fresh[rows.lowerBound * d..<rows.upperBound * d])
        return out.withUnsafeBufferPointer { o in target.withUnsafeBufferPointer {
            DriftLoss.meanSquaredDistance(o.baseAddress!, $0.baseAddress!, rows: rows.count, dimension: d) } }
    }

    /// Gram–Schmidt on a Gaussian matrix: a uniformly random orthogonal matrix.
    private func randomRotation(_ d: Int, _ rng: inout Xoshiro256) -> [Float] {
        var m = [Float](repeating: 0, count: d * d)
        m.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: d * d, std: 1) }
        for i in 0..<d {
            for k in 0..<i {
                var dot: Float = 0
                for j in 0..<d { dot += m[i * d + j] * m[k * d + j] }
                for j in 0..<d { m[i * d + j] -= dot * m[k * d + j] }
            }
            var norm: Float = 0
            for j in 0..<d { norm += m[i * d + j] * m[i * d + j] }
            for j in 0..<d { m[i * d + j] /= norm.squareRoot() }
        }
        return m
    }
}
