import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// `train reader --gold-context` on a QA set that names each question's article (JSON lines with `title`, as
/// the demo's), the progress line of runs bounded by time and by steps, and the window-size check.
final class TrainReaderCLITests: CLITestCase {
    func testArticleSupervisionAndProgressLines() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let corpus = """
            {"id": "1", "title": "Mars", "text": "Mars is the fourth planet from the Sun. Its two moons are Phobos and Deimos."}
            {"id": "2", "title": "Venus", "text": "Venus is the second planet from the Sun and the hottest planet of all."}

            """
        let questions = """
            {"question": "What is the larger moon of Mars called?", "answers": ["Phobos"], "title": "Mars"}
            {"question": "Which planet is the hottest?", "answers": ["Venus"], "title": "Venus"}
            {"question": "Who found Pluto?", "answers": ["Clyde Tombaugh"], "title": "Pluto"}

            """
        try Data(corpus.utf8).write(to: directory.appendingPathComponent("corpus.jsonl"))
        try Data(questions.utf8).write(to: directory.appendingPathComponent("questions.jsonl"))
        XCTAssertEqual(try quarry(["ingest", "corpus.jsonl", "--quiet"], in: directory).status, 0)

        let timed = try quarry(["train", "reader", "--qa", "questions.jsonl", "--gold-context", "--negatives", "1",
                                "--steps", "2", "--batch", "2", "--minutes", "10", "--max-length", "128",
                                "--model", model.path, "--name", "timed", "--progress"], in: directory)
        XCTAssertEqual(timed.status, 0, timed.stderr)
        XCTAssertTrue(timed.stderr.contains("2 of 3 questions usable (gold-article); 1 skipped"), timed.stderr)
        // Minutes bound the run: the line says how much of the budget is trained, not "step N/1000000".
        XCTAssertTrue(timed.stderr.contains("step 2 (at most 2), "), timed.stderr)
        XCTAssertTrue(timed.stderr.contains(" of 10m00s"), timed.stderr)
        XCTAssertFalse(timed.stderr.contains("/1000000"), timed.stderr)
        let record = try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite")).readers.record(named: "timed")
        XCTAssertEqual(record?.supervision, "gold-article")
        XCTAssertEqual(record?.steps, 2)

        let counted = try quarry(["train", "reader", "--qa", "questions.jsonl", "--gold-context", "--steps", "2", "--batch", "2",
                                  "--max-length", "128", "--model", model.path, "--name", "counted", "--progress"], in: directory)
        XCTAssertEqual(counted.status, 0, counted.stderr)
        XCTAssertTrue(counted.stderr.contains("step 1/2, ETA"), counted.stderr)
        XCTAssertTrue(counted.stderr.contains("step 2/2, ETA 0m00s"), counted.stderr)

        // Relevance joins the span score only when negatives trained it.
        func rule(_ name: String) throws -> String? {
            let url = directory.appendingPathComponent("quarry.sqlite.readers/\(name)/reader.json")
            return try (JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])?["span_scoring"] as? String
        }
        XCTAssertEqual(try rule("timed"), "window+relevance")
        XCTAssertEqual(try rule("counted"), "window")
    }

    /// A window too small for the question and a passage is refused by name before any model is loaded.
    func testTooSmallWindowIsNamedBeforeLoading() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let result = try quarry(["train", "reader", "--qa", "questions.jsonl", "--max-length", "60",
                                 "--model", directory.appendingPathComponent("no-model").path], in: directory)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--max-length"), result.stderr)
        XCTAssertTrue(result.stderr.contains("leave no room for the passage"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("quarry.sqlite").path),
                       "nothing was opened")
    }
}
