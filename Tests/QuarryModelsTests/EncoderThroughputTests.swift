import Foundation
import QuarryModels
import QuarryNN
import QuarryTestSupport
import XCTest

/// Encoding speed on ~100-word passages (the fixture's long rows, cut to 128 ids). A measurement, not a
/// check: it runs only when QUARRY_BENCH is set, e.g.
/// `QUARRY_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter EncoderThroughputTests`.
final class EncoderThroughputTests: XCTestCase {
    func testPassagesPerSecond() throws {
        guard ProcessInfo.processInfo.environment["QUARRY_BENCH"] != nil else {
            throw XCTSkip("throughput measurement: set QUARRY_BENCH=1 to run")
        }
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        let rows = try ReferenceEmbeddingTests.loadFixture().rows.filter { $0.input_ids.count >= 100 }
        let passages = rows.map { ids -> [Int] in ids.input_ids.count <= 128 ? ids.input_ids : Array(ids.input_ids.prefix(127)) + [102] }
        let copies = Int(ProcessInfo.processInfo.environment["QUARRY_BENCH_COPIES"] ?? "32") ?? 32
        let inputs = Array((0..<copies).map { _ in passages }.joined())
        let meanLength = Double(inputs.map(\.count).reduce(0, +)) / Double(inputs.count)
        _ = try encoder.embed(Array(inputs.prefix(16)))  // warm-up
        for maxBatch in [16, 32, 64] {
            let start = Date()
            let out = try encoder.embed(inputs, maxBatch: maxBatch, maxTokens: 1 << 20)
            let seconds = Date().timeIntervalSince(start)
            XCTAssertEqual(out.count, inputs.count * encoder.dimension)
            print(String(format: "encode: %d passages (mean %.1f ids), batch %d, BLAS threads %d: %.2f s, %.1f passages/s",
                         inputs.count, meanLength, maxBatch, BLAS.threads, seconds, Double(inputs.count) / seconds))
        }
    }
}
