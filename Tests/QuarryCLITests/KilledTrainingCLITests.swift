import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// SIGKILL `quarry train retriever` at seeded moments, each run resuming the last (--resume), on the demo corpus
/// with a tiny budget: every store passes the integrity check, and the run that finally completes saves the same
/// weights, search cache and metrics as a run never interrupted.
final class KilledTrainingCLITests: CLITestCase {
    func testTrainRetrieverKilledAtSeededMomentsResumesToTheSameWeights() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let reference = try ingestDemoWiki(into: directory, name: "reference.sqlite")
        let killed = try ingestDemoWiki(into: directory, name: "killed.sqlite")
        let qa = TestResources.packageRoot.appendingPathComponent("corpora/demo/qa/train.jsonl").path
        // The default strategy (corrected negatives): encoders, corrector, corrected cache and optimisers all resume.
        let arguments = ["train", "retriever", "--qa", qa, "--model", model.path, "--name", "run", "--steps", "6",
                         "--batch", "2", "--samples", "2", "--max-passage-tokens", "24", "--max-query-tokens", "16",
                         "--warmup", "2", "--eval-every", "0", "--checkpoint-every", "2", "--probe-questions", "2",
                         "--probe-candidates", "4", "--probe-k", "2", "--shared-encoders", "--quiet"]

        let started = Date()
        let full = try quarry(arguments + ["--db", reference.path], in: directory)
        XCTAssertEqual(full.status, 0, full.stderr)
        let duration = Date().timeIntervalSince(started)

        var generator = SeededGenerator(seed: 31)
        var killsLanded = 0
        for attempt in 0..<8 {
            // A resumed run skips the initial cache (saved by the first) and the steps checkpointed, so it is far
            // shorter than the first: early moments keep most kills inside a run.
            let delay = Double.random(in: 0.3...(duration * 0.45), using: &generator)
            if try runAndKill(arguments + ["--resume", "--db", killed.path], in: directory, after: delay) { killsLanded += 1 }
            XCTAssertEqual(try CorpusStore(url: killed).integrityProblems(), [], "attempt \(attempt), killed after \(delay) s")
        }
        XCTAssertGreaterThanOrEqual(killsLanded, 4, "most kills should land while the training runs (\(duration) s)")

        let resumed = try quarry(arguments + ["--resume", "--db", killed.path], in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let expected = URL(fileURLWithPath: reference.path + ".retrievers/run")
        let actual = URL(fileURLWithPath: killed.path + ".retrievers/run")
        for file in ["query/model.safetensors", "passage/model.safetensors", "corrector.safetensors"] {
            XCTAssertEqual(try Data(contentsOf: actual.appendingPathComponent(file)),
                           try Data(contentsOf: expected.appendingPathComponent(file)), "\(file) differs from the uninterrupted run")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: killed.path + ".caches/retriever-run.f32")),
                       try Data(contentsOf: URL(fileURLWithPath: reference.path + ".caches/retriever-run.f32")),
                       "the corrected search cache differs")
        XCTAssertEqual(try metrics(actual), try metrics(expected), "metrics.jsonl differs beyond its timings")
        XCTAssertEqual(try CorpusStore(url: killed).integrityProblems(), [])
    }

    /// The lines of a run's metrics.jsonl without their timings (which differ from run to run).
    private func metrics(_ run: URL) throws -> [NSDictionary] {
        let text = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            var object = try XCTUnwrap(try json(String(line)) as? [String: Any])
            object["timings"] = nil
            object["seconds"] = nil
            return object as NSDictionary
        }
    }
}
