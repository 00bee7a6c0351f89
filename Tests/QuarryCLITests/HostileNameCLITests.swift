import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// Names users give that become file or folder names (`--name` of embed and both trainers, `--cache`,
/// `--retriever`, `--reader`): a path, a parent reference, an empty name, SQL or FTS5 syntax is refused with a
/// message, nothing is written outside the store's own folders, and the store is unchanged.
final class HostileNameCLITests: CLITestCase {
    static let names = ["../escaped", "../../escaped", "..", ".", "/tmp/quarry-escaped-name", "", "a/b", ".hidden",
                        "x'; DROP TABLE passages; --", "\"q\" OR 1=1", "NEAR(mercury venus)", "with space", "tab\there",
                        "café", String(repeating: "n", count: 300)]

    func testNamesThatWouldLeaveTheStoreAreRefused() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let storeFolder = directory.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: storeFolder, withIntermediateDirectories: true)
        let database = try ingestDemoWiki(into: storeFolder)
        let qa = TestResources.packageRoot.appendingPathComponent("corpora/demo/qa/train.jsonl").path
        let before = try listing(directory.deletingLastPathComponent(), below: directory)
        let passagesBefore = try passages(in: database)

        for name in Self.names {
            let commands: [[String]] = [
                ["embed", "--model", model.path, "--name", name],
                ["train", "retriever", "--qa", qa, "--model", model.path, "--steps", "1", "--name", name],
                ["train", "reader", "--qa", qa, "--retriever", "bm25", "--steps", "1", "--model", model.path, "--name", name],
                ["search", "mercury", "--dense", "--cache", name],
                ["search", "mercury", "--retriever", name],
                ["ask", "How long is a year on Mercury?", "--retriever", name, "--reader", "none"],
                ["ask", "How long is a year on Mercury?", "--retriever", "bm25", "--reader", name],
            ]
            // An empty --retriever is documented as "the default choice" (RetrieverChoice.automatic), not a name.
            for command in commands where !(name.isEmpty && command.first == "ask" && command.contains("none")) {
                let outcome = try quarry(command + ["--db", database.path, "--quiet"], in: directory)
                let shown = command.prefix(2).joined(separator: " ") + " with \(name.debugDescription)"
                XCTAssertNotEqual(outcome.status, 0, "\(shown) was accepted: \(outcome.stdout)")
                XCTAssertFalse(outcome.stderr.isEmpty, "\(shown) failed without a message")
                XCTAssertFalse(outcome.stderr.contains("SQLite error"), "\(shown): \(outcome.stderr)")
            }
        }

        // Only the store's own folders may have appeared, and nothing in them.
        let allowed = Set([".caches", ".retrievers", ".readers", "-wal", "-shm", "-journal"].map { database.path + $0 })
        let added = try listing(directory.deletingLastPathComponent(), below: directory).subtracting(before)
        XCTAssertEqual(added.subtracting(allowed), [], "files outside the store's folders")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/quarry-escaped-name"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/quarry-escaped-name.f32"))
        XCTAssertEqual(try passages(in: database), passagesBefore)
        let store = try CorpusStore(url: database)
        XCTAssertEqual(try store.integrityProblems(), [])
        XCTAssertEqual(try store.readers.all().map(\.name), [])
    }

    /// Every path under `root` that lies in `folder` or beside it with a name starting like it.
    private func listing(_ root: URL, below folder: URL) throws -> Set<String> {
        var paths = Set<String>()
        let fm = FileManager.default
        for entry in try fm.contentsOfDirectory(atPath: root.path) where entry.hasPrefix("escaped") || entry == folder.lastPathComponent {
            paths.insert(root.appendingPathComponent(entry).path)
        }
        if let walker = fm.enumerator(atPath: folder.path) {
            for case let path as String in walker where !path.hasPrefix(".stdout-") && !path.hasPrefix(".stderr-") {
                paths.insert(folder.appendingPathComponent(path).path)
            }
        }
        return paths
    }
}
