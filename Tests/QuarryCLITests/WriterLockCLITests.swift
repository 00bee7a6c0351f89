import Foundation
import QuarryRetrieval
import QuarryStore
import QuarryTestSupport
import XCTest

/// Two long writers on one store: while `embed`, `train retriever` or `train reader` runs, a second writer of
/// any kind is refused at once with a message naming the first, and the first finishes as if it were alone.
final class WriterLockCLITests: CLITestCase {
    private var trainingQA: String { TestResources.packageRoot.appendingPathComponent("corpora/demo/qa/train.jsonl").path }

    /// Starts `arguments` on `database`; once it holds the writer lock, runs each of `others` and checks that each
    /// is refused naming the holder. Returns the first writer's outcome.
    @discardableResult
    private func assertOthersRefused(while arguments: [String], purpose: String, others: [[String]], database: URL,
                                     in directory: URL) throws -> Outcome {
        let first = try makeProcess(arguments + ["--db", database.path], in: directory)
        let errFile = directory.appendingPathComponent(".first-stderr")
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        first.standardError = try FileHandle(forWritingTo: errFile)
        first.standardOutput = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        XCTAssertTrue(waitForWriterLock(of: database, heldBy: first, purpose: purpose), "the first \(purpose) never held the lock")
        let holder = "\(purpose) (process \(first.processIdentifier))"
        for other in others {
            let started = Date()
            let refused = try quarry(other + ["--db", database.path], in: directory)
            XCTAssertEqual(refused.status, 1, "\(other.prefix(2)) ran beside \(purpose): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("another quarry process is writing to \(database.path): \(holder)"),
                          refused.stderr)
            XCTAssertLessThan(Date().timeIntervalSince(started), 10, "refused at once, not after waiting")
        }
        first.waitUntilExit()
        return Outcome(status: first.terminationStatus, stdout: "",
                       stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }

    func testSecondWriterIsRefusedWhileEmbedRuns() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let database = try ingestDemoWiki(into: directory)
        let dump = TestResources.packageRoot.appendingPathComponent("corpora/demo/demo-wiki.xml.bz2").path
        let embed = ["embed", "--model", model.path, "--batch", "16", "--window", "32", "--quiet"]
        let first = try assertOthersRefused(
            while: embed, purpose: "embed --name dense",
            others: [embed, embed + ["--name", "other"], ["ingest", dump, "--quiet"]], database: database, in: directory)
        XCTAssertEqual(first.status, 0, first.stderr)

        let store = try CorpusStore(url: database)
        let catalog = try EmbeddingCacheCatalog(database: store.pool)
        XCTAssertEqual(try catalog.record(named: "dense")?.rowsCompleted, try store.passageCount(), "the first embed finished")
        XCTAssertNil(try catalog.record(named: "other"), "the refused embed wrote nothing")
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testSecondWriterIsRefusedWhileTrainRetrieverRuns() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let database = try ingestDemoWiki(into: directory)
        let train = ["train", "retriever", "--qa", trainingQA, "--model", model.path, "--negatives", "bm25", "--steps", "6",
                     "--batch", "2", "--samples", "2", "--max-passage-tokens", "32", "--max-query-tokens", "16",
                     "--eval-every", "0", "--checkpoint-every", "0", "--quiet"]
        let reader = ["train", "reader", "--qa", trainingQA, "--retriever", "bm25", "--steps", "1", "--batch", "2",
                      "--max-length", "128", "--model", model.path, "--quiet"]
        let first = try assertOthersRefused(
            while: train + ["--name", "first"], purpose: "train retriever --name first",
            others: [train + ["--name", "second"], reader, ["embed", "--model", model.path, "--quiet"]],
            database: database, in: directory)
        XCTAssertEqual(first.status, 0, first.stderr)

        let retrievers = URL(fileURLWithPath: database.path + ".retrievers")
        XCTAssertTrue(FileManager.default.fileExists(atPath: retrievers.appendingPathComponent("first/query/model.safetensors").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: retrievers.appendingPathComponent("second").path),
                       "the refused run made no folder")
        XCTAssertFalse(FileManager.default.fileExists(atPath: database.path + ".readers"), "the refused reader wrote nothing")
    }

    func testSecondWriterIsRefusedWhileTrainReaderRuns() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let database = try ingestDemoWiki(into: directory)
        let train = ["train", "reader", "--qa", trainingQA, "--retriever", "bm25", "--k", "3", "--negatives", "1",
                     "--steps", "4", "--batch", "2", "--max-length", "128", "--model", model.path, "--quiet"]
        let dump = TestResources.packageRoot.appendingPathComponent("corpora/demo/demo-wiki.xml.bz2").path
        let first = try assertOthersRefused(
            while: train + ["--name", "first"], purpose: "train reader --name first",
            others: [train + ["--name", "second"], ["ingest", dump, "--quiet"],
                     ["train", "retriever", "--qa", trainingQA, "--model", model.path, "--steps", "1", "--quiet"]],
            database: database, in: directory)
        XCTAssertEqual(first.status, 0, first.stderr)

        let readers = try CorpusStore(url: database).readers.all()
        XCTAssertEqual(readers.map(\.name), ["first"], "only the first reader was saved")
        XCTAssertFalse(FileManager.default.fileExists(atPath: database.path + ".readers/second.training"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: database.path + ".retrievers"), "the refused retriever wrote nothing")
    }

    func testTheLockIsFreedWhenTheHolderIsKilled() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let database = try ingestDemoWiki(into: directory)
        let embed = ["embed", "--model", model.path, "--db", database.path, "--quiet"]
        let first = try makeProcess(embed, in: directory)
        try first.run()
        XCTAssertTrue(waitForWriterLock(of: database, heldBy: first, purpose: "embed --name dense"))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let dump = TestResources.packageRoot.appendingPathComponent("corpora/demo/demo-wiki.xml.bz2").path
        let next = try quarry(["ingest", dump, "--db", database.path, "--quiet"], in: directory)
        XCTAssertEqual(next.status, 0, "a killed holder leaves no lock behind: \(next.stderr)")
    }
}
