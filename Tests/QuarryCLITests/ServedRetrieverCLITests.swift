import Foundation
import QuarryRetrieval
import QuarryStore
import QuarryTestSupport
import XCTest

/// A trained retriever is served from the corpus embedded by its own trained passage encoder: the final
/// embedding of `train retriever` makes exactly what `quarry embed --model <run>/passage` makes, survives a
/// kill, and `--retriever NAME` never reads the corrected cache unless asked for it (`NAME:corrected`).
final class ServedRetrieverCLITests: CLITestCase {
    private var qa: URL { TestResources.packageRoot.appendingPathComponent("corpora/demo/qa") }
    private var arguments: [String] {
        get throws {
            ["train", "retriever", "--qa", qa.appendingPathComponent("train.jsonl").path,
             "--eval-qa", qa.appendingPathComponent("test.jsonl").path, "--model", try TestResources.miniLM().path,
             "--name", "run", "--steps", "4", "--batch", "2", "--samples", "2", "--max-passage-tokens", "24",
             "--max-query-tokens", "16", "--warmup", "2", "--eval-every", "0", "--checkpoint-every", "2",
             "--probe-questions", "2", "--probe-candidates", "4", "--probe-k", "2", "--quiet"]
        }
    }

    func testFinalEmbeddingServesKillsResumeAndTheCorrectedCacheIsReadOnlyOnRequest() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let reference = try ingestDemoWiki(into: directory, name: "reference.sqlite")
        let killed = try ingestDemoWiki(into: directory, name: "killed.sqlite")
        let trained = try quarry(try arguments + ["--db", reference.path], in: directory)
        XCTAssertEqual(trained.status, 0, trained.stderr)

        try checkServedCacheIsTheEmbeddingByThePassageEncoder(reference, in: directory)
        try checkKillDuringTheFinalEmbeddingResumes(killed, reference: reference, in: directory)
        try checkCorrectedCacheIsReadOnlyOnRequest(reference, in: directory)
        try checkRemovedPassagesLeaveTheOthersInPlace(reference, in: directory)
        XCTAssertEqual(try CorpusStore(url: killed).integrityProblems(), [])
    }

    /// Row for row and byte for byte, the served cache is `quarry embed` run with the trained passage encoder.
    private func checkServedCacheIsTheEmbeddingByThePassageEncoder(_ database: URL, in directory: URL) throws {
        let passage = database.path + ".retrievers/run/passage"
        let embedded = try quarry(["embed", "--model", passage, "--name", "check", "--db", database.path, "--quiet"], in: directory)
        XCTAssertEqual(embedded.status, 0, embedded.stderr)
        for suffix in [".f32", ".passages"] {
            XCTAssertEqual(try Data(contentsOf: cacheFile(database, "retriever-run" + suffix)),
                           try Data(contentsOf: cacheFile(database, "check" + suffix)), "retriever-run\(suffix) differs from embed --model")
        }
        let ledger = try XCTUnwrap(try json(try String(contentsOfFile: database.path + ".retrievers/run/ledger.json", encoding: .utf8))
                                   as? [String: Any])
        let entries = try XCTUnwrap(ledger["entries"] as? [[String: Any]])
        let passages = try CorpusStore(url: database).passageCount()
        XCTAssertEqual(entries.first { $0["purpose"] as? String == "finalEmbedding" }?["passes"] as? Int, passages,
                       "the final embedding is one pass over the corpus in the ledger")
        let served = try metricLines(database).filter { $0["index"] as? String == "served" }
        XCTAssertEqual(served.count, 1, "one evaluation through the served cache")
        XCTAssertTrue((served.first?["label"] as? String ?? "").contains("what --retriever NAME searches"))
    }

    /// SIGKILL once the first window of the final embedding is on disk; `--resume` finishes it without training
    /// again, to the bytes and metrics of the uninterrupted run.
    private func checkKillDuringTheFinalEmbeddingResumes(_ killed: URL, reference: URL, in directory: URL) throws {
        let resuming = try arguments + ["--resume", "--db", killed.path]
        let process = try makeProcess(resuming, in: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Wait for the recorded row count, not the file's size: the floats reach the file before the catalog
        // counts them, and a kill between the two rightly loses the window.
        let catalog = try EmbeddingCacheCatalog(database: try CorpusStore(url: killed).pool)
        try process.run()
        while process.isRunning && ((try? catalog.record(named: "retriever-run")?.rowsCompleted) ?? 0) < 256 {
            Thread.sleep(forTimeInterval: 0.005)
        }
        XCTAssertTrue(process.isRunning, "the run ended before its final embedding could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let resumed = try quarry(resuming.filter { $0 != "--quiet" }, in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resumed from the checkpoint at step 4"), resumed.stderr)
        XCTAssertFalse(resumed.stderr.contains("step 4/4"), "no step was trained again: \(resumed.stderr)")
        XCTAssertTrue(resumed.stderr.contains("(\(try CorpusStore(url: killed).passageCount() - 256) now)"), resumed.stderr)
        for name in ["retriever-run.f32", "retriever-run-corrected.f32"] {
            XCTAssertEqual(try Data(contentsOf: cacheFile(killed, name)), try Data(contentsOf: cacheFile(reference, name)), name)
        }
        XCTAssertEqual(try metricLines(killed).map(Self.withoutTimings), try metricLines(reference).map(Self.withoutTimings))
    }

    /// With the corrected cache's file gone, the retriever still answers (it never reads it); `NAME:corrected`
    /// is the one way to search it, and `eval --json` names the cache that answered.
    private func checkCorrectedCacheIsReadOnlyOnRequest(_ database: URL, in directory: URL) throws {
        let corrected = cacheFile(database, "retriever-run-corrected.f32"), aside = URL(fileURLWithPath: corrected.path + ".aside")
        try FileManager.default.moveItem(at: corrected, to: aside)
        let asked = try quarry(["ask", "Which city is carved into sandstone cliffs?", "--retriever", "run", "--reader", "none",
                                "--db", database.path], in: directory)
        XCTAssertEqual(asked.status, 0, asked.stderr)
        XCTAssertFalse(asked.stderr.contains("warning"), "a current served cache needs no warning: \(asked.stderr)")
        let refused = try quarry(["ask", "Which city?", "--retriever", "run:corrected", "--reader", "none", "--db", database.path],
                                 in: directory)
        XCTAssertNotEqual(refused.status, 0, "the corrected cache is what run:corrected reads")
        try FileManager.default.moveItem(at: aside, to: corrected)

        for (retriever, cache) in [("run", "retriever-run"), ("hybrid:run", "retriever-run"), ("run:corrected", "retriever-run-corrected")] {
            let evaluated = try quarry(["eval", "--qa", qa.appendingPathComponent("test.jsonl").path, "--retriever", retriever,
                                        "--reader", "none", "--json", "--db", database.path], in: directory)
            XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
            let figures = try XCTUnwrap(try json(evaluated.stdout) as? [String: Any])
            XCTAssertEqual(figures["retriever_cache"] as? String, cache, retriever)
        }
    }

    /// After a document leaves the store, both caches still map every other row to its own passage (by the
    /// passage list, not by position): each search returns the earlier hits less the removed passages, scores
    /// unchanged.
    private func checkRemovedPassagesLeaveTheOthersInPlace(_ database: URL, in directory: URL) throws {
        func hits(_ retriever: String) throws -> [(id: Int64, score: Double)] {
            let searched = try quarry(["search", "Which city is carved into sandstone cliffs?", "--retriever", retriever, "--k", "12",
                                       "--json", "--db", database.path], in: directory)
            XCTAssertEqual(searched.status, 0, searched.stderr)
            return try XCTUnwrap(try json(searched.stdout) as? [[String: Any]]).map {
                (Int64($0["passage_id"] as? Int ?? -1), $0["score"] as? Double ?? .nan)
            }
        }
        let before = try ["run", "run:corrected"].map(hits)
        let store = try CorpusStore(url: database)
        let top = try XCTUnwrap(before[1].first?.id)
        let document = try XCTUnwrap(try store.documentExternalIDs(passageIDs: [top])[top])
        let removed = Set(try store.passageIDs(ofDocuments: [document])[document] ?? [])
        try store.writeBatch { writer in
            let stored = try XCTUnwrap(try writer.storedDocument(source: "mediawiki:demowiki", externalID: document))
            try writer.removeDocument(id: stored.id)
        }
        for (retriever, earlier) in zip(["run", "run:corrected"], before) {
            let after = try hits(retriever)
            let expected = earlier.filter { !removed.contains($0.id) }
            XCTAssertEqual(after.prefix(expected.count).map(\.id), expected.map(\.id), retriever)
            XCTAssertEqual(after.prefix(expected.count).map(\.score), expected.map(\.score), retriever)
            XCTAssertTrue(after.allSatisfy { !removed.contains($0.id) }, retriever)
        }
        // `check`: the retriever loads, its served cache lags the store and names the command that catches up.
        let checked = try quarry(["check", "--json", "--db", database.path], in: directory)
        XCTAssertEqual(checked.status, 0, checked.stdout)
        let findings = try XCTUnwrap(try json(checked.stdout) as? [[String: Any]])
        func finding(_ part: String) -> [String: Any]? { findings.first { $0["part"] as? String == part } }
        XCTAssertEqual(finding("retriever run")?["verdict"] as? String, "ok")
        XCTAssertEqual(finding("cache retriever-run")?["verdict"] as? String, "lagging")
        XCTAssertEqual(finding("cache retriever-run")?["repair"] as? String, "quarry embed --retriever run")
        XCTAssertEqual(finding("cache retriever-run-corrected")?["verdict"] as? String, "ok")
    }

    private func cacheFile(_ database: URL, _ name: String) -> URL {
        URL(fileURLWithPath: database.path + ".caches/" + name)
    }

    private func metricLines(_ database: URL) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: database.path + ".retrievers/run/metrics.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { try XCTUnwrap(try json(String($0)) as? [String: Any]) }
    }

    private static func withoutTimings(_ line: [String: Any]) -> NSDictionary {
        var line = line
        for key in ["timings", "seconds", "questions_per_second"] { line[key] = nil }
        return line as NSDictionary
    }
}
