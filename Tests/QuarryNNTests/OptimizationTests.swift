import QuarryNN
import QuarryTestSupport
import XCTest

final class OptimizationTests: XCTestCase {
    /// Two AdamW steps worked by hand. With constant gradients the bias-corrected moments are m̂ = g and
    /// v̂ = g², so each step moves by lr·(sign(g) + λθ) for decayed weights and lr·sign(g) for biases.
    func testAdamWMatchesHandComputedSteps() {
        let store = ParameterStore([(name: "w", shape: [1, 2]), (name: "b", shape: [1])])
        let w = store.parameter(named: "w")!, b = store.parameter(named: "b")!
        store.value(w)[0] = 1; store.value(w)[1] = -2; store.value(b)[0] = 0.5
        let adam = AdamW(store: store, epsilon: 0, weightDecay: 0.01)
        for _ in 0..<2 {
            store.gradient(w)[0] = 0.1; store.gradient(w)[1] = -0.2; store.gradient(b)[0] = 0.3
            adam.update(store, learningRate: 0.1)
        }
        // Step 1: 1 - 0.1·(1 + 0.01·1) = 0.899;  step 2: 0.899 - 0.1·(1 + 0.01·0.899) = 0.798101
        XCTAssertEqual(store.value(w)[0], 0.798101, accuracy: 1e-6)
        // Step 1: -2 - 0.1·(-1 - 0.02) = -1.898;  step 2: -1.898 - 0.1·(-1 - 0.01898) = -1.796102
        XCTAssertEqual(store.value(w)[1], -1.796102, accuracy: 1e-6)
        // Bias: no decay, 0.5 - 0.1 - 0.1
        XCTAssertEqual(store.value(b)[0], 0.3, accuracy: 1e-6)
        XCTAssertEqual(adam.step, 2)
    }

    func testClippingByGlobalNorm() {
        let store = ParameterStore([(name: "a", shape: [2]), (name: "b", shape: [1])])
        store.gradients[0] = 3; store.gradients[1] = 0; store.gradients[2] = 4
        XCTAssertEqual(store.gradientNorm(), 5, accuracy: 1e-6)
        XCTAssertEqual(store.clipGradients(maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(store.gradientNorm(), 1, accuracy: 1e-5)
        XCTAssertEqual(store.gradients[0] / store.gradients[2], 0.75, accuracy: 1e-6)
        store.clipGradients(maxNorm: 10)
        XCTAssertEqual(store.gradientNorm(), 1, accuracy: 1e-5, "below the limit nothing changes")
        store.zeroGradients()
        XCTAssertEqual(store.gradientNorm(), 0)
    }

    func testWarmupThenLinearDecay() {
        let s = LinearWarmupDecay(peak: 1, warmupSteps: 4, totalSteps: 12)
        XCTAssertEqual(s.rate(at: 0), 0.25)
        XCTAssertEqual(s.rate(at: 3), 1)
        XCTAssertEqual(s.rate(at: 4), 1)
        XCTAssertEqual(s.rate(at: 8), 0.5)
        XCTAssertEqual(s.rate(at: 12), 0)
        XCTAssertEqual(s.rate(at: 20), 0)
    }

    func testRandomNumbersAreSeededAndNormal() {
        var a = Xoshiro256(seed: 42), b = Xoshiro256(seed: 42), c = Xoshiro256(seed: 43)
        let xs = (0..<5).map { _ in a.next() }
        XCTAssertEqual(xs, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(xs, (0..<5).map { _ in c.next() })
        var rng = Xoshiro256(seed: 7)
        let samples = (0..<100_000).map { _ in Double(rng.nextNormal()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        let uniform = (0..<10_000).map { _ in rng.nextFloat() }
        XCTAssertTrue(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}

final class CheckpointTests: XCTestCase {
    /// Saving mid-run and resuming into fresh objects gives the same values as running straight through.
    func testResumedRunMatchesUninterruptedRun() throws {
        let folder = try TestResources.temporaryDirectory(for: self)
        func makeStore() -> ParameterStore {
            let store = ParameterStore([(name: "w", shape: [2, 3]), (name: "b", shape: [3])])
            var rng = Xoshiro256(seed: 1)
            rng.fillNormal(store.values, count: store.count, std: 1)
            return store
        }
        func step(_ store: ParameterStore, _ adam: AdamW, _ k: Int) {
            for i in 0..<store.count { store.gradients[i] = store.values[i] * Float(k + 1) - 0.3 }
            adam.update(store, learningRate: 0.05)
        }
        let straight = makeStore(), straightAdam = AdamW(store: straight)
        for k in 0..<6 { step(straight, straightAdam, k) }

        let first = makeStore(), firstAdam = AdamW(store: first)
        for k in 0..<3 { step(first, firstAdam, k) }
        try first.save(to: folder.appendingPathComponent("params.safetensors"), metadata: ["step": "3"])
        try firstAdam.saveState(to: folder.appendingPathComponent("adamw.safetensors"))

        let resumed = ParameterStore([(name: "w", shape: [2, 3]), (name: "b", shape: [3])])
        let metadata = try resumed.load(from: folder.appendingPathComponent("params.safetensors"))
        XCTAssertEqual(metadata["step"], "3")
        let resumedAdam = AdamW(store: resumed)
        try resumedAdam.loadState(from: folder.appendingPathComponent("adamw.safetensors"))
        XCTAssertEqual(resumedAdam.step, 3)
        for k in 3..<6 { step(resumed, resumedAdam, k) }
        for i in 0..<straight.count { XCTAssertEqual(resumed.values[i], straight.values[i]) }

        let other = ParameterStore([(name: "w", shape: [3, 2])])
        XCTAssertThrowsError(try other.load(from: folder.appendingPathComponent("params.safetensors")))
    }
}
