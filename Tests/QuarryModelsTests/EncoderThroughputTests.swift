import Foundation
import QuarryModels
import QuarryNN
import QuarryTestSupport
import XCTest

/// Encoding speed. A measurement, not a check: it runs only when QUARRY_BENCH is set, e.g.
/// `QUARRY_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter EncoderThroughputTests`.
///
/// Inputs: QUARRY_BENCH_PASSAGES, a JSON-lines file of {"input_ids", "embedding"} rows written by
/// bench/encode-throughput.sh (then the embeddings are compared too); otherwise the fixture's long rows cut
/// to 128 ids, repeated QUARRY_BENCH_COPIES times. QUARRY_BENCH_THREADS sets BLAS and worker threads.
final class EncoderThroughputTests: XCTestCase {
    func testPassagesPerSecond() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["QUARRY_BENCH"] != nil else {
            throw XCTSkip("throughput measurement: set QUARRY_BENCH=1 to run")
        }
        if let threads = environment["QUARRY_BENCH_THREADS"].flatMap(Int.init) {
            BLAS.threads = threads
            Parallel.workers = environment["QUARRY_BENCH_WORKERS"].flatMap(Int.init) ?? threads
        }
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        let (inputs, reference) = try Self.inputs(environment)
        let meanLength = Double(inputs.map(\.count).reduce(0, +)) / Double(inputs.count)
        _ = try encoder.embed(Array(inputs.prefix(16)))  // warm-up
        for maxBatch in [16, 32, 64] {
            let start = Date(), cpuStart = Self.processCPUSeconds()
            let out = try encoder.embed(inputs, maxBatch: maxBatch, maxTokens: 1 << 20)
            let seconds = Date().timeIntervalSince(start), cpu = Self.processCPUSeconds() - cpuStart
            XCTAssertEqual(out.count, inputs.count * encoder.dimension)
            print(String(format: "encode: %d passages (mean %.1f ids), batch %d, threads %d, workers \(Parallel.workers): %.2f s wall, %.1f passages/s; %.2f s CPU, %.1f passages per CPU-second",
                         inputs.count, meanLength, maxBatch, BLAS.threads, seconds, Double(inputs.count) / seconds,
                         cpu, Double(inputs.count) / cpu))
            if let reference {
                let d = encoder.dimension
                let worst = (0..<inputs.count).map { i -> Float in
                    let a = out[(i * d)..<((i + 1) * d)], b = reference[i]
                    let dot = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                    let norms = a.reduce(Float(0)) { $0 + $1 * $1 } * b.reduce(Float(0)) { $0 + $1 * $1 }
                    return dot / norms.squareRoot()
                }.min() ?? 1
                print("worst cosine with sentence-transformers: \(worst)")
                XCTAssertGreaterThanOrEqual(worst, 0.9999)
            }
        }
    }

    /// Forward + backward of the encoder on batches of 32 passages, as a training step spends it.
    func testTrainingPassesPerSecond() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["QUARRY_BENCH"] != nil else {
            throw XCTSkip("throughput measurement: set QUARRY_BENCH=1 to run")
        }
        if let threads = environment["QUARRY_BENCH_THREADS"].flatMap(Int.init) {
            BLAS.threads = threads
            Parallel.workers = threads
        }
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        let inputs = Array(try Self.inputs(environment).0.prefix(128))
        let batches = stride(from: 0, to: inputs.count, by: 32).map { TokenBatch(sequences: Array(inputs[$0..<min($0 + 32, inputs.count)])) }
        var rng = Xoshiro256(seed: 1)
        let start = Date(), cpuStart = Self.processCPUSeconds()
        for batch in batches {
            let pass = try encoder.trainingForward(batch)
            let gradient = (0..<(batch.size * encoder.dimension)).map { _ in rng.nextNormal() }
            encoder.store.zeroGradients()
            encoder.backward(pass, embeddingGradient: gradient)
        }
        let seconds = Date().timeIntervalSince(start), cpu = Self.processCPUSeconds() - cpuStart
        print(String(format: "train: %d passages forward+backward in batches of 32, threads %d: %.2f s wall, %.1f passages/s; %.1f passages per CPU-second",
                     inputs.count, BLAS.threads, seconds, Double(inputs.count) / seconds, Double(inputs.count) / cpu))
    }

    private static func inputs(_ environment: [String: String]) throws -> ([[Int]], [[Float]]?) {
        struct Row: Decodable { let input_ids: [Int]; let embedding: [Float] }
        if let path = environment["QUARRY_BENCH_PASSAGES"] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let rows = try text.split(separator: "\n").map { try JSONDecoder().decode(Row.self, from: Data($0.utf8)) }
            return (rows.map(\.input_ids), rows.map(\.embedding))
        }
        let rows = try ReferenceEmbeddingTests.loadFixture().rows.filter { $0.input_ids.count >= 100 }
        let passages = rows.map { $0.input_ids.count <= 128 ? $0.input_ids : Array($0.input_ids.prefix(127)) + [102] }
        let copies = environment["QUARRY_BENCH_COPIES"].flatMap(Int.init) ?? 32
        return (Array((0..<copies).map { _ in passages }.joined()), nil)
    }

    /// User + system CPU time of the whole process: a figure that stays meaningful on a busy machine.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
