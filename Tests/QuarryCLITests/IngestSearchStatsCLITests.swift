import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

final class IngestSearchStatsCLITests: CLITestCase {
    private func corpus(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("rivers.jsonl")
        try Data("""
            {"id": "1", "title": "Danube", "text": "The Danube flows through Vienna and Budapest to the Black Sea."}
            {"id": "2", "title": "Rhine", "text": "The Rhine flows north through Basel and Cologne to the North Sea."}
            {"id": "3", "title": "Vienna", "text": "Vienna lies on the Danube; the Danube shaped the city."}

            """.utf8).write(to: url)
        return url
    }

    func testIngestSearchAndStatsEndToEnd() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let input = try corpus(in: directory)
        let ingest = try quarry(["ingest", input.path, "--json"], in: directory)
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        let summary = try XCTUnwrap(try json(ingest.stdout) as? [String: Any])
        XCTAssertEqual(summary["documents_new"] as? Int, 3)
        XCTAssertEqual(summary["passages_added"] as? Int, 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("quarry.sqlite").path),
                      "the default database is quarry.sqlite in the working directory")

        let search = try quarry(["search", "danube", "--k", "2", "--json"], in: directory)
        XCTAssertEqual(search.status, 0, search.stderr)
        let hits = try XCTUnwrap(try json(search.stdout) as? [[String: Any]])
        XCTAssertEqual(hits.count, 2)
        XCTAssertEqual(Set(hits.compactMap { $0["title"] as? String }), ["Danube", "Vienna"])
        XCTAssertEqual(Set(hits.first.map { Array($0.keys) } ?? []), ["passage_id", "title", "text", "score"])

        let text = try quarry(["search", "rhine"], in: directory)
        XCTAssertTrue(text.stdout.hasPrefix("1. ["), text.stdout)
        XCTAssertTrue(text.stdout.contains("Rhine") && text.stdout.contains("Basel"), text.stdout)

        let stats = try quarry(["stats", "--json"], in: directory)
        XCTAssertEqual(stats.status, 0, stats.stderr)
        let figures = try XCTUnwrap(try json(stats.stdout) as? [String: Any])
        XCTAssertEqual(figures["documents"] as? Int, 3)
        XCTAssertEqual(figures["passages"] as? Int, 3)
        XCTAssertEqual((figures["sources"] as? [[String: Any]])?.first?["source"] as? String, input.path)
        XCTAssertTrue((figures["tables"] as? [[String: Any]])?.contains { $0["kind"] as? String == "fts5 index" } == true)
        XCTAssertGreaterThan(figures["bytes"] as? Int ?? 0, 0)

        let again = try quarry(["ingest", input.path, "--json"], in: directory)
        let second = try XCTUnwrap(try json(again.stdout) as? [String: Any])
        XCTAssertEqual(second["documents_unchanged"] as? Int, 3)
        XCTAssertEqual(second["passages_added"] as? Int, 0)
    }

    func testDatabaseComesFromTheEnvironmentOrTheOption() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let input = try corpus(in: directory)
        let fromEnvironment = directory.appendingPathComponent("env.sqlite")
        XCTAssertEqual(try quarry(["ingest", input.path, "--quiet"], in: directory,
                                  environment: ["QUARRY_DB": fromEnvironment.path]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: fromEnvironment.path))
        let explicit = directory.appendingPathComponent("explicit.sqlite")
        let quiet = try quarry(["ingest", input.path, "--db", explicit.path, "--quiet"], in: directory,
                               environment: ["QUARRY_DB": fromEnvironment.path])
        XCTAssertEqual(quiet.stdout, "")
        XCTAssertEqual(quiet.stderr, "", "no progress without a terminal, no summary when quiet")
        XCTAssertEqual(try CorpusStore(url: explicit).documentCount(), 3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("quarry.sqlite").path))
    }

    func testProgressIsForcedWithTheFlag() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let input = try corpus(in: directory)
        let outcome = try quarry(["ingest", input.path, "--progress"], in: directory)
        XCTAssertEqual(outcome.status, 0)
        XCTAssertTrue(outcome.stderr.contains("rivers.jsonl:") && outcome.stderr.contains("passages/s"), outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("3 new"), outcome.stdout)
    }

    func testQueriesCannotInjectSyntax() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        XCTAssertEqual(try quarry(["ingest", try corpus(in: directory).path, "--quiet"], in: directory).status, 0)
        for query in ["\"", "*", "NEAR(", "OR", "'); DROP TABLE passages; --", "danube\" OR \"rhine", "title:rhine AND"] {
            let outcome = try quarry(["search", query, "--json"], in: directory)
            XCTAssertEqual(outcome.status, 0, "query \(query): \(outcome.stderr)")
            XCTAssertNotNil(try json(outcome.stdout) as? [Any], "query \(query)")
        }
        XCTAssertEqual(try quarry(["search", "*", "--json"], in: directory).stdout.filter { !$0.isWhitespace }, "[]")
        let store = try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite"))
        XCTAssertEqual(try store.passageCount(), 3)
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testBadInputsFailNamingFileAndPlace() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let missing = try quarry(["ingest", directory.appendingPathComponent("nope.jsonl").path], in: directory)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nope.jsonl") && missing.stderr.contains("no such file"), missing.stderr)

        let empty = directory.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let emptyOutcome = try quarry(["ingest", empty.path], in: directory)
        XCTAssertNotEqual(emptyOutcome.status, 0)
        XCTAssertTrue(emptyOutcome.stderr.contains("empty.jsonl: empty file"), emptyOutcome.stderr)

        let broken = directory.appendingPathComponent("broken.jsonl")
        try Data("""
            {"id": "1", "text": "fine words"}
            {"id": "2", "text": "more fine words"}
            {"id": "3", "text": "truncated
            {"id": "4", "text": "never reached"}
            """.utf8).write(to: broken)
        let failure = try quarry(["ingest", broken.path], in: directory)
        XCTAssertEqual(failure.status, 1)
        XCTAssertTrue(failure.stderr.contains("broken.jsonl: line 3: not valid JSON"), failure.stderr)
        XCTAssertTrue(failure.stderr.contains("committed from \(broken.path) before the error: 2 new"), failure.stderr)
        XCTAssertEqual(try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite")).documentCount(), 2)

        let skipping = try quarry(["ingest", broken.path, "--keep-going", "--json"], in: directory)
        XCTAssertEqual(skipping.status, 0, skipping.stderr)
        let summary = try XCTUnwrap(try json(skipping.stdout) as? [String: Any])
        XCTAssertEqual(summary["documents_new"] as? Int, 1)
        XCTAssertEqual(summary["documents_unchanged"] as? Int, 2)
        XCTAssertEqual(summary["skipped"] as? [String: Int], ["malformed": 1])
        XCTAssertEqual((summary["problems"] as? [String])?.first, "\(broken.path): line 3: not valid JSON")

        let badOption = try quarry(["ingest", broken.path, "--passage-words", "10", "--stride", "20"], in: directory)
        XCTAssertNotEqual(badOption.status, 0)
        XCTAssertTrue(badOption.stderr.contains("stride"), badOption.stderr)
    }
}
