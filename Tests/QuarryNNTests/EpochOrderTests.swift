import Foundation
import QuarryNN
import XCTest

/// The shared training order and the generator state a checkpoint carries.
final class EpochOrderTests: XCTestCase {
    func testEveryEpochIsAFreshSeededPermutation() {
        var order = EpochOrder(count: 7) { UInt64(100 + $0) }
        let epochs = (0..<3).map { epoch in (0..<7).map { order.index(at: epoch * 7 + $0) } }
        for epoch in epochs { XCTAssertEqual(epoch.sorted(), Array(0..<7)) }
        XCTAssertNotEqual(epochs[0], epochs[1])
        // A function of the position alone: read out of order, or by a fresh instance, the same examples.
        var fresh = EpochOrder(count: 7) { UInt64(100 + $0) }
        XCTAssertEqual((0..<7).reversed().map { fresh.index(at: 14 + $0) }, epochs[2].reversed())
        XCTAssertEqual(fresh.index(at: 3), epochs[0][3])
        var expected = Array(0..<7), rng = Xoshiro256(seed: 101)
        expected.shuffle(using: &rng)
        XCTAssertEqual(epochs[1], expected, "epoch 1 is the permutation xoshiro256** draws from its seed")
    }

    /// Checkpoints written before the generators were one type hold {s0, s1, s2, s3}: they still decode, and
    /// the state encodes back to the same keys.
    func testGeneratorStateRoundTripsInTheCheckpointForm() throws {
        var rng = Xoshiro256(seed: 9)
        _ = rng.next()
        let data = try JSONEncoder().encode(rng)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["s0", "s1", "s2", "s3"])
        var decoded = try JSONDecoder().decode(Xoshiro256.self, from: data)
        XCTAssertEqual(decoded, rng)
        XCTAssertEqual(decoded.next(), rng.next())
    }
}
