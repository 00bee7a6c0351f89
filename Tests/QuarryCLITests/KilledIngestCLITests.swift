import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// SIGKILL an ingest at seeded random moments: every interrupted database must pass the integrity checks and
/// hold a prefix of the full result, and re-running must end with exactly what an uninterrupted run stores.
final class KilledIngestCLITests: CLITestCase {
    func testIngestKilledAtRandomMomentsResumesToTheSameContent() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let input = directory.appendingPathComponent("synthetic.jsonl")
        try writeSyntheticCorpus(30_000, to: input)
        let arguments = ["ingest", input.path, "--quiet", "--batch-documents", "1000", "--source", "synthetic"]

        let reference = directory.appendingPathComponent("reference.sqlite")
        let started = Date()
        let full = try quarry(arguments + ["--db", reference.path], in: directory)
        XCTAssertEqual(full.status, 0, full.stderr)
        let duration = Date().timeIntervalSince(started)
        let expected = try passages(in: reference)
        XCTAssertGreaterThan(expected.count, 30_000)

        let interrupted = directory.appendingPathComponent("interrupted.sqlite")
        var generator = SeededGenerator(seed: 2024)
        var killsLanded = 0
        for attempt in 0..<5 {
            let delay = Double.random(in: 0.05...(duration * 0.9), using: &generator)
            let process = try makeProcess(arguments + ["--db", interrupted.path], in: directory)
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killsLanded += 1
            }
            process.waitUntilExit()

            let store = try CorpusStore(url: interrupted)
            XCTAssertEqual(try store.integrityProblems(), [], "attempt \(attempt), killed after \(delay) s")
            let partial = try passages(in: interrupted)
            XCTAssertEqual(partial, Array(expected.prefix(partial.count)),
                           "attempt \(attempt): what survived is exactly the start of the full result")
        }
        XCTAssertGreaterThanOrEqual(killsLanded, 3, "most kills should land while the ingest runs")

        let resumed = try quarry(arguments + ["--db", interrupted.path], in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try passages(in: interrupted), expected)
        let store = try CorpusStore(url: interrupted)
        XCTAssertEqual(try store.documentCount(), 30_000)
        XCTAssertEqual(try store.integrityProblems(), [])
        XCTAssertEqual(try store.bm25Search(query: "t42 t4242", k: 10),
                       try CorpusStore(url: reference).bm25Search(query: "t42 t4242", k: 10))
    }
}

/// A seeded random source, so the kill moments are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
