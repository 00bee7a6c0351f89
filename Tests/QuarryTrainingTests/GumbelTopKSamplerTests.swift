import XCTest
@testable import QuarryTraining

final class GumbelTopKSamplerTests: XCTestCase {
    private let scores: [Float] = [1.0, 0.5, 0.0, -0.5, 2.0]

    private func softmax(_ values: [Float], temperature: Double = 1) -> [Double] {
        let scaled = values.map { Double($0) / temperature }
        let top = scaled.max()!
        let weights = scaled.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// Pearson's chi-square statistic of observed counts against expected probabilities.
    private func chiSquare(_ observed: [Int], _ probabilities: [Double]) -> Double {
        let n = Double(observed.reduce(0, +))
        return zip(observed, probabilities).reduce(0) { sum, pair in
            let expected = n * pair.1
            return sum + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected
        }
    }

    func testSingleDrawsFollowTheSoftmax() {
        // Critical values of chi-square at p = 0.001: 18.47 for 4 degrees of freedom.
        for temperature: Float in [1, 0.5, 2] {
            let sampler = GumbelTopKSampler(temperature: temperature)
            var rng = SamplerRandom(seed: 42)
            var counts = [Int](repeating: 0, count: scores.count)
            for _ in 0..<20_000 {
                let drawn = sampler.sample(scores: scores, k: 1, using: &rng)
                XCTAssertEqual(drawn.count, 1)
                counts[drawn[0]] += 1
            }
            let statistic = chiSquare(counts, softmax(scores, temperature: Double(temperature)))
            XCTAssertLessThan(statistic, 18.47, "temperature \(temperature): counts \(counts)")
        }
    }

    func testOrderedPairsFollowPlackettLuce() {
        // Draw two without replacement: P(i then j) = p_i · p_j / (1 − p_i).
        let p = softmax(scores)
        var cells = [[Int]: Int]()
        var probabilities = [[Int]: Double]()
        for i in 0..<5 { for j in 0..<5 where i != j {
            cells[[i, j]] = 0
            probabilities[[i, j]] = p[i] * p[j] / (1 - p[i])
        } }
        let sampler = GumbelTopKSampler()
        var rng = SamplerRandom(seed: 7)
        for _ in 0..<40_000 {
            let drawn = sampler.sample(scores: scores, k: 2, using: &rng)
            XCTAssertEqual(drawn.count, 2)
            cells[drawn, default: 0] += 1
        }
        XCTAssertEqual(cells.count, 20, "only ordered pairs of distinct items may appear")
        let keys = cells.keys.sorted { $0.lexicographicallyPrecedes($1) }
        // 19 degrees of freedom: 43.82 at p = 0.001.
        let statistic = chiSquare(keys.map { cells[$0]! }, keys.map { probabilities[$0]! })
        XCTAssertLessThan(statistic, 43.82, "pair counts \(cells)")
    }

    func testSameSeedSameDraws() {
        let sampler = GumbelTopKSampler(temperature: 0.7)
        var a = SamplerRandom(seed: 99), b = SamplerRandom(seed: 99)
        let first = (0..<50).map { _ in sampler.sample(scores: scores, k: 3, using: &a) }
        let second = (0..<50).map { _ in sampler.sample(scores: scores, k: 3, using: &b) }
        XCTAssertEqual(first, second)
        var c = SamplerRandom(seed: 100)
        XCTAssertNotEqual(first, (0..<50).map { _ in sampler.sample(scores: scores, k: 3, using: &c) })
    }

    func testExcludedIndicesAreNeverDrawn() {
        var rng = SamplerRandom(seed: 3)
        let many = (0..<200).map { _ in Float.random(in: -3...3, using: &rng) }
        // Exclude the ten best, which would otherwise dominate the draws.
        let excluded = Set(GumbelTopKSampler.topK(scores: many, k: 10))
        let sampler = GumbelTopKSampler(temperature: 0.3)
        for _ in 0..<2_000 {
            let drawn = sampler.sample(scores: many, k: 8, excluding: excluded, using: &rng)
            XCTAssertEqual(drawn.count, 8)
            XCTAssertEqual(Set(drawn).count, 8, "draws must be distinct")
            XCTAssertTrue(excluded.isDisjoint(with: drawn))
        }
        // When fewer than K are eligible, every eligible index comes back once.
        let fewEligible = sampler.sample(scores: scores, k: 4, excluding: [0, 2, 4], using: &rng)
        XCTAssertEqual(Set(fewEligible), [1, 3])
        XCTAssertEqual(GumbelTopKSampler.topK(scores: scores, k: 3, excluding: [4]), [0, 1, 2])
    }

    func testPlainTopKIsBestFirstWithLowerIndexOnTies() {
        XCTAssertEqual(GumbelTopKSampler.topK(scores: scores, k: 2), [4, 0])
        XCTAssertEqual(GumbelTopKSampler.topK(scores: [1, 3, 3, 2], k: 3), [1, 2, 3])
        XCTAssertEqual(GumbelTopKSampler.topK(scores: [1, 2], k: 5), [1, 0])
        XCTAssertEqual(GumbelTopKSampler.topK(scores: [], k: 5), [])
        var rng = SamplerRandom(seed: 1)
        XCTAssertEqual(GumbelTopKSampler().sample(scores: scores, k: 0, using: &rng), [])
    }
}
