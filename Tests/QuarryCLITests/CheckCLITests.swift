import Foundation
import GRDB
import QuarryStore
import QuarryTestSupport
import XCTest

/// `quarry check` tells a healthy store from each kind of damage, names the part, and the command it
/// prints repairs it.
final class CheckCLITests: CLITestCase {
    private func findings(_ database: URL, in directory: URL) throws -> (status: Int32, byPart: [String: [String: Any]]) {
        let outcome = try quarry(["check", "--db", database.path, "--json"], in: directory)
        let list = try XCTUnwrap(try json(outcome.stdout) as? [[String: Any]], outcome.stderr)
        return (outcome.status, Dictionary(uniqueKeysWithValues: list.map { ($0["part"] as? String ?? "", $0) }))
    }

    func testHealthyLaggingAndDamagedPartsAreToldApart() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let model = try TestResources.miniLM()
        let database = directory.appendingPathComponent("store.sqlite")
        let corpus = directory.appendingPathComponent("rivers.jsonl")
        try Data("""
            {"id": "1", "title": "Danube", "text": "The Danube flows through Vienna to the Black Sea."}
            {"id": "2", "title": "Rhine", "text": "The Rhine flows north to the North Sea."}

            """.utf8).write(to: corpus)
        XCTAssertEqual(try quarry(["ingest", corpus.path, "--db", database.path, "--quiet"], in: directory).status, 0)
        XCTAssertEqual(try quarry(["embed", "--model", model.path, "--db", database.path, "--quiet"], in: directory).status, 0)

        var checked = try findings(database, in: directory)
        XCTAssertEqual(checked.status, 0)
        XCTAssertEqual(checked.byPart.mapValues { $0["verdict"] as? String }, ["database": "ok", "cache dense": "ok"])

        // A new passage: the cache lags (exit 0) and says how to catch up.
        try Data("""
            {"id": "3", "title": "Elbe", "text": "The Elbe flows through Dresden."}

            """.utf8).write(to: corpus, options: .atomic)
        XCTAssertEqual(try quarry(["ingest", corpus.path, "--db", database.path, "--quiet"], in: directory).status, 0)
        checked = try findings(database, in: directory)
        XCTAssertEqual(checked.status, 0)
        XCTAssertEqual(checked.byPart["cache dense"]?["verdict"] as? String, "lagging")

        // A cache file cut short: damaged, exit 1; the printed repair (embed) makes it whole again.
        let file = URL(fileURLWithPath: database.path + ".caches/dense.f32")
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 384 * 4 + 100)
        try handle.close()
        checked = try findings(database, in: directory)
        XCTAssertEqual(checked.status, 1)
        let damaged = try XCTUnwrap(checked.byPart["cache dense"])
        XCTAssertEqual(damaged["verdict"] as? String, "damaged")
        XCTAssertTrue((damaged["detail"] as? String ?? "").contains("holds 1 whole rows; the store records 2"), "\(damaged)")
        XCTAssertEqual(damaged["repair"] as? String, "quarry embed --name dense --model '\(model.path)'")
        let repaired = try quarry(["embed", "--name", "dense", "--model", model.path, "--db", database.path], in: directory)
        XCTAssertEqual(repaired.status, 0, repaired.stderr)
        checked = try findings(database, in: directory)
        XCTAssertEqual(checked.status, 0)
        XCTAssertEqual(checked.byPart["cache dense"]?["verdict"] as? String, "ok")

        // Passages changed behind the BM25 index's back: the index check names it and the rebuild mends it.
        let queue = try DatabaseQueue(path: database.path)
        try queue.write { try $0.execute(sql: "UPDATE passages SET text = 'changed behind the index' WHERE id = 1") }
        let text = try quarry(["check", "--db", database.path], in: directory)
        XCTAssertEqual(text.status, 1)
        XCTAssertTrue(text.stdout.contains("damaged  database: full-text index"), text.stdout)
        XCTAssertTrue(text.stdout.contains("repair: sqlite3"), text.stdout)
        try queue.write { try $0.execute(sql: "INSERT INTO passages_fts (passages_fts) VALUES ('rebuild')") }
        try queue.close()
        XCTAssertEqual(try findings(database, in: directory).byPart["database"]?["verdict"] as? String, "ok")
    }

    /// A reader whose heads are gone is damaged and named; the demo store's other parts stay ok.
    func testADamagedReaderIsNamed() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let database = try ingestDemoWiki(into: directory)
        let qa = TestResources.packageRoot.appendingPathComponent("corpora/demo/qa/train.jsonl")
        let trained = try quarry(["train", "reader", "--qa", qa.path, "--gold-context", "--model", try TestResources.miniLM().path,
                                  "--steps", "1", "--batch", "2", "--max-length", "128", "--name", "tiny", "--quiet",
                                  "--db", database.path], in: directory)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertEqual(try findings(database, in: directory).byPart["reader tiny"]?["verdict"] as? String, "ok")
        let folder = URL(fileURLWithPath: database.path + ".readers/tiny")
        let heads = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }
        XCTAssertFalse(heads.isEmpty)
        for name in heads { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        let checked = try findings(database, in: directory)
        XCTAssertEqual(checked.status, 1)
        XCTAssertEqual(checked.byPart["reader tiny"]?["verdict"] as? String, "damaged")
        XCTAssertEqual(checked.byPart["database"]?["verdict"] as? String, "ok")
    }
}
