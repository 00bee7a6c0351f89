import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// SIGKILL an ingest at seeded random moments: every interrupted database must pass the integrity checks and
/// hold a prefix of the full result, and re-running must end with exactly what an uninterrupted run stores.
final class KilledIngestCLITests: CLITestCase {
    /// The passages an uninterrupted ingest stores, and how long it took (the window for the kills).
    private func uninterruptedRun(_ arguments: [String], in directory: URL) throws -> ([String], Double) {
        let started = Date()
        let full = try quarry(arguments, in: directory)
        XCTAssertEqual(full.status, 0, full.stderr)
        let duration = Date().timeIntervalSince(started)
        return (try passages(in: URL(fileURLWithPath: arguments[arguments.count - 1])), duration)
    }

    func testIngestKilledAtRandomMomentsResumesToTheSameContent() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let input = directory.appendingPathComponent("synthetic.jsonl")
        try writeSyntheticCorpus(30_000, to: input)
        let arguments = ["ingest", input.path, "--quiet", "--batch-documents", "1000", "--source", "synthetic"]

        let reference = directory.appendingPathComponent("reference.sqlite")
        let (expected, duration) = try uninterruptedRun(arguments + ["--db", reference.path], in: directory)
        XCTAssertGreaterThan(expected.count, 30_000)

        let interrupted = directory.appendingPathComponent("interrupted.sqlite")
        var generator = SplitMix64(seed: 2024)
        var killsLanded = 0
        for attempt in 0..<5 {
            let delay = Double.random(in: 0.05...(duration * 0.9), using: &generator)
            if try runAndKill(arguments + ["--db", interrupted.path], in: directory, after: delay) { killsLanded += 1 }

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

    /// The same promise on a real MediaWiki dump (bz2, redirects and wikitext), killed at 20 seeded moments,
    /// committing every 4 documents so that kills land between many commits.
    func testRealDumpIngestKilledAtTwentySeededMoments() throws {
        let dump = try TestResources.sharedData("mediawiki-xml/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
        let directory = try TestResources.temporaryDirectory(for: self)
        let arguments = ["ingest", dump.path, "--quiet", "--batch-documents", "4", "--source", "enwiki"]
        let reference = directory.appendingPathComponent("reference.sqlite")
        let (expected, duration) = try uninterruptedRun(arguments + ["--db", reference.path], in: directory)

        let interrupted = directory.appendingPathComponent("interrupted.sqlite")
        var generator = SplitMix64(seed: 4711)
        var killsLanded = 0, grew = 0, previous = 0
        for attempt in 0..<20 {
            let delay = Double.random(in: 0.02...(duration * 0.95), using: &generator)
            if try runAndKill(arguments + ["--db", interrupted.path], in: directory, after: delay) { killsLanded += 1 }
            guard FileManager.default.fileExists(atPath: interrupted.path) else { continue }
            let store = try CorpusStore(url: interrupted)
            XCTAssertEqual(try store.integrityProblems(), [], "attempt \(attempt), killed after \(delay) s")
            let partial = try passages(in: interrupted)
            XCTAssertEqual(partial, Array(expected.prefix(partial.count)), "attempt \(attempt): a prefix of the full result")
            XCTAssertGreaterThanOrEqual(partial.count, previous, "attempt \(attempt): nothing committed is lost")
            if partial.count > previous { grew += 1 }
            previous = partial.count
        }
        XCTAssertGreaterThanOrEqual(killsLanded, 10, "most kills should land while the ingest runs (\(duration) s)")
        XCTAssertGreaterThanOrEqual(grew, 2, "runs resumed and added to what the killed ones committed")

        let resumed = try quarry(arguments + ["--db", interrupted.path], in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try passages(in: interrupted), expected)
        XCTAssertEqual(try CorpusStore(url: interrupted).integrityProblems(), [])
        XCTAssertEqual(try CorpusStore(url: interrupted).bm25Search(query: "anarchism history", k: 10),
                       try CorpusStore(url: reference).bm25Search(query: "anarchism history", k: 10))
    }

    /// A prune removes documents in one transaction: killed at seeded moments of an `ingest --prune` that
    /// drops two thirds of a source, the store holds everything or exactly the pruned result, never a mix,
    /// and the re-run finishes it.
    func testPruneKilledAtSeededMomentsIsAllOrNothing() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let full = directory.appendingPathComponent("full.jsonl"), kept = directory.appendingPathComponent("kept.jsonl")
        try writeSyntheticCorpus(15_000, to: full)
        let lines = try String(contentsOf: full, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(5_000).joined(separator: "\n") + "\n").write(to: kept, atomically: true, encoding: .utf8)
        let base = directory.appendingPathComponent("base.sqlite")
        XCTAssertEqual(try quarry(["ingest", full.path, "--source", "corpus", "--quiet", "--db", base.path], in: directory).status, 0)
        let before = try passages(in: base)
        let prune = ["ingest", kept.path, "--source", "corpus", "--prune", "--quiet"]
        let reference = directory.appendingPathComponent("reference.sqlite")
        try copyDatabase(base, to: reference)
        let started = Date()
        XCTAssertEqual(try quarry(prune + ["--db", reference.path], in: directory).status, 0)
        let duration = Date().timeIntervalSince(started)
        let after = try passages(in: reference)
        XCTAssertEqual(try CorpusStore(url: reference).documentCount(), 5_000)

        var generator = SplitMix64(seed: 77)
        var outcomes = Set<String>()
        for attempt in 0..<6 {
            let interrupted = directory.appendingPathComponent("interrupted-\(attempt).sqlite")
            try copyDatabase(base, to: interrupted)
            let delay = Double.random(in: 0.02...(duration * 0.95), using: &generator)
            _ = try runAndKill(prune + ["--db", interrupted.path], in: directory, after: delay)
            XCTAssertEqual(try CorpusStore(url: interrupted).integrityProblems(), [], "attempt \(attempt)")
            let state = try passages(in: interrupted)
            XCTAssertTrue(state == before || state == after, "attempt \(attempt), killed after \(delay) s: a mix of before and after")
            outcomes.insert(state == before ? "before" : "after")
            XCTAssertEqual(try quarry(prune + ["--db", interrupted.path], in: directory).status, 0)
            XCTAssertEqual(try passages(in: interrupted), after, "attempt \(attempt): the re-run finishes the prune")
        }
        XCTAssertTrue(outcomes.contains("before"), "some kills should land before the prune commits")
    }

    /// A closed database and its write-ahead log, copied (the log holds commits not yet checkpointed).
    private func copyDatabase(_ source: URL, to target: URL) throws {
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: source.path + suffix) {
            try FileManager.default.copyItem(atPath: source.path + suffix, toPath: target.path + suffix)
        }
    }
}
