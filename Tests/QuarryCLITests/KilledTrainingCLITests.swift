import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// SIGKILL `quarry train retriever` and `quarry train reader` at 20 seeded moments each, every run resuming the
/// last (--resume), on the demo corpus with a tiny budget: every store passes the integrity check, no
/// checkpointed step is lost, and the run that finally completes saves the same bytes as a run never interrupted.
final class KilledTrainingCLITests: CLITestCase {
    private static let killPoints = 20
    private var trainingQA: String { TestResources.packageRoot.appendingPathComponent("corpora/demo/qa/train.jsonl").path }

    func testTrainRetrieverKilledAtSeededMomentsResumesToTheSameWeights() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let reference = try ingestDemoWiki(into: directory, name: "reference.sqlite")
        let killed = try ingestDemoWiki(into: directory, name: "killed.sqlite")
        // The default strategy (corrected negatives): encoders, corrector, corrected cache and optimisers all resume.
        // The final embedding has a test of its own (ServedRetrieverCLITests); here `embed --retriever` makes it.
        let arguments = ["train", "retriever", "--qa", trainingQA, "--model", model.path, "--name", "run", "--steps", "8",
                         "--batch", "2", "--samples", "2", "--max-passage-tokens", "24", "--max-query-tokens", "16",
                         "--warmup", "2", "--eval-every", "0", "--checkpoint-every", "2", "--probe-questions", "2",
                         "--probe-candidates", "4", "--probe-k", "2", "--shared-encoders", "--no-final-embed", "--quiet"]
        let run = URL(fileURLWithPath: killed.path + ".retrievers/run")
        try killAndResume(arguments, reference: reference, killed: killed, in: directory, seed: 31) {
            try Self.checkpointStep(run.appendingPathComponent("checkpoint")) { ($0["progress"] as? [String: Any])?["step"] }
        }
        let expected = URL(fileURLWithPath: reference.path + ".retrievers/run")
        XCTAssertEqual(try files(in: run), try files(in: expected), "the run folder holds the same files, no leftovers")
        for file in ["query/model.safetensors", "passage/model.safetensors", "corrector.safetensors"] {
            XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent(file)),
                           try Data(contentsOf: expected.appendingPathComponent(file)), "\(file) differs from the uninterrupted run")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: killed.path + ".caches/retriever-run-corrected.f32")),
                       try Data(contentsOf: URL(fileURLWithPath: reference.path + ".caches/retriever-run-corrected.f32")),
                       "the corrected cache differs")
        XCTAssertEqual(try metrics(run.appendingPathComponent("metrics.jsonl")),
                       try metrics(expected.appendingPathComponent("metrics.jsonl")), "metrics.jsonl differs beyond its timings")
        XCTAssertEqual(try CorpusStore(url: killed).integrityProblems(), [])
        try checkServedOnlyAfterEmbedding(killed, reference: reference, in: directory)
    }

    /// Without the final embedding `--retriever run` refuses and says what to run; `embed --retriever run` then
    /// makes the same served cache from the resumed weights as from the uninterrupted ones.
    private func checkServedOnlyAfterEmbedding(_ killed: URL, reference: URL, in directory: URL) throws {
        let refused = try quarry(["ask", "aurora", "--retriever", "run", "--reader", "none", "--db", killed.path], in: directory)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("quarry embed --retriever run"), refused.stderr)
        for database in [killed, reference] {
            let embedded = try quarry(["embed", "--retriever", "run", "--db", database.path, "--quiet"], in: directory)
            XCTAssertEqual(embedded.status, 0, embedded.stderr)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: killed.path + ".caches/retriever-run.f32")),
                       try Data(contentsOf: URL(fileURLWithPath: reference.path + ".caches/retriever-run.f32")), "the served cache differs")
        let asked = try quarry(["ask", "aurora", "--retriever", "run", "--reader", "none", "--db", killed.path], in: directory)
        XCTAssertEqual(asked.status, 0, asked.stderr)
    }

    /// The reader keeps AdamW's moments with each checkpoint, so a resumed run is bit-identical to an
    /// uninterrupted one (`ReaderCheckpointTests`); here through the command, killed anywhere, saving included.
    func testTrainReaderKilledAtSeededMomentsResumesToTheSameWeights() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let reference = try ingestDemoWiki(into: directory, name: "reference.sqlite")
        let killed = try ingestDemoWiki(into: directory, name: "killed.sqlite")
        // 12 steps, checkpoints every 4 and a metrics line every 10: a kill between steps 10 and 12 leaves a
        // line the resumed run writes again.
        let arguments = ["train", "reader", "--qa", trainingQA, "--retriever", "bm25", "--k", "2", "--negatives", "1",
                         "--limit", "24", "--steps", "12", "--batch", "1", "--max-length", "80", "--max-answer-tokens", "8",
                         "--checkpoint-every", "4", "--model", model.path, "--name", "run", "--quiet"]
        let readers = URL(fileURLWithPath: killed.path + ".readers")
        try killAndResume(arguments, reference: reference, killed: killed, in: directory, seed: 47) {
            try Self.checkpointStep(readers.appendingPathComponent("run.training/checkpoint")) { $0["step"] }
        }
        let expected = URL(fileURLWithPath: reference.path + ".readers")
        XCTAssertEqual(try files(in: readers), try files(in: expected), "the readers folder holds the same files, no leftovers")
        for file in try files(in: expected.appendingPathComponent("run")) {
            XCTAssertEqual(try Data(contentsOf: readers.appendingPathComponent("run/" + file)),
                           try Data(contentsOf: expected.appendingPathComponent("run/" + file)),
                           "\(file) differs from the uninterrupted run")
        }
        XCTAssertEqual(try metrics(readers.appendingPathComponent("run.training/metrics.jsonl")),
                       try metrics(expected.appendingPathComponent("run.training/metrics.jsonl")),
                       "metrics.jsonl differs beyond its timings")
        let store = try CorpusStore(url: killed)
        XCTAssertEqual(try store.readers.all().map { [$0.name, "\($0.steps)", "\($0.questions)"] },
                       try CorpusStore(url: reference).readers.all().map { [$0.name, "\($0.steps)", "\($0.questions)"] })
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    /// The skeleton both tests share: `arguments` run uninterrupted on `reference`, then on `killed` killed
    /// again and again (`killRepeatedly`; `checkpointStep` reads the run's checkpointed step) and finally
    /// resumed to the end. The caller compares what the two runs saved.
    private func killAndResume(_ arguments: [String], reference: URL, killed: URL, in directory: URL, seed: UInt64,
                               checkpointStep: () throws -> Int) throws {
        let duration = try timedRun(arguments + ["--db", reference.path], in: directory)
        let resuming = arguments + ["--resume", "--db", killed.path]
        let steps = try killRepeatedly(resuming, database: killed, in: directory, full: duration, seed: seed, step: checkpointStep)
        // At least before the first checkpoint and after a later one; how far they spread depends on the machine's load.
        XCTAssertGreaterThanOrEqual(Set(steps).count, 2, "kills landed at several stages of the run: \(steps)")
        let resumed = try quarry(resuming, in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    /// Runs `arguments` to the end; returns how long that took (the scale of the kill moments).
    private func timedRun(_ arguments: [String], in directory: URL) throws -> Double {
        let started = Date()
        let full = try quarry(arguments, in: directory)
        XCTAssertEqual(full.status, 0, full.stderr)
        return Date().timeIntervalSince(started)
    }

    /// Starts `arguments` (a resuming run) again and again, each SIGKILLed after a seeded delay, until `killPoints`
    /// kills have landed while it ran (at most three times as many runs). Delays are drawn up to a window that
    /// starts at a quarter of the uninterrupted run (`full` seconds) and grows by half whenever a kill found no
    /// new checkpoint, so the kills spread over the whole job instead of all landing while it loads; a run that
    /// ends before its kill has finished the job, and from then on the window is that run's length (loading,
    /// the last steps, saving again). After each run the store passes the integrity check and the checkpointed
    /// step (read by `step`) has not gone back. Returns the step after each run.
    private func killRepeatedly(_ arguments: [String], database: URL, in directory: URL, full: Double, seed: UInt64,
                                step: () throws -> Int) throws -> [Int] {
        var generator = SplitMix64(seed: seed)
        var window = full / 4
        var landed = 0, runs = 0, steps: [Int] = [], delays: [String] = []
        while landed < Self.killPoints && runs < 3 * Self.killPoints {
            runs += 1
            let delay = Double.random(in: 0.05...max(0.1, window), using: &generator)
            let started = Date()
            let killed = try runAndKill(arguments, in: directory, after: delay)
            XCTAssertEqual(try CorpusStore(url: database).integrityProblems(), [], "run \(runs), killed after \(delay) s")
            let reached = try step()
            XCTAssertGreaterThanOrEqual(reached, steps.last ?? 0, "run \(runs) (killed after \(delay) s) lost checkpointed steps")
            if killed {
                landed += 1
                delays.append(String(format: "%.1f", delay))
                if reached == (steps.last ?? 0) { window = min(full, window * 1.5) }
            } else {
                window = min(window, Date().timeIntervalSince(started))
            }
            steps.append(reached)
        }
        XCTAssertGreaterThanOrEqual(landed, Self.killPoints, "kills that landed while training ran, in \(runs) runs")
        print("\(landed) kills landed in \(runs) runs (uninterrupted: \(String(format: "%.1f", full)) s), after \(delays) s; checkpointed steps: \(steps)")
        return steps
    }

    /// The step a checkpoint folder's `state.json` names (`step` picks it out), from the folder or the previous one
    /// a kill left mid-swap; 0 before the first checkpoint.
    private static func checkpointStep(_ checkpoint: URL, step: ([String: Any]) -> Any?) throws -> Int {
        for folder in [checkpoint, URL(fileURLWithPath: checkpoint.path + ".previous")] {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("state.json").path) else { continue }
            let state = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try XCTUnwrap(step(state) as? Int)
        }
        return 0
    }

    /// Every file under `folder` (relative paths, sorted), hidden ones included.
    private func files(in folder: URL) throws -> [String] {
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: folder.path))
        return enumerator.compactMap { $0 as? String }.filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    /// The lines of a metrics.jsonl without their timings (which differ from run to run).
    private func metrics(_ file: URL) throws -> [NSDictionary] {
        let text = try String(contentsOf: file, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            var object = try XCTUnwrap(try json(String(line)) as? [String: Any])
            for key in ["timings", "seconds", "questions_per_second"] { object[key] = nil }
            return object as NSDictionary
        }
    }
}
