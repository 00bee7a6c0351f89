import Foundation
import GRDB
import QuarryStore
import QuarryTestSupport
import XCTest

/// Runs the built `quarry` executable, found in the build products directory beside the test bundle.
class CLITestCase: XCTestCase {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let executable: URL? = {
        var candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        return candidates.map { $0.appendingPathComponent("quarry") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    func quarryURL() throws -> URL {
        guard let url = Self.executable else {
            throw XCTSkip("the quarry executable is not in the build products directory: build it with `swift build --build-tests`")
        }
        return url
    }

    /// A process running `quarry arguments…` in `directory`, not yet started.
    func makeProcess(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = try quarryURL()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        merged["QUARRY_DB"] = nil
        merged.merge(environment) { $1 }
        process.environment = merged
        return process
    }

    /// Runs `quarry arguments…` to the end.
    @discardableResult
    func quarry(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Outcome {
        let process = try makeProcess(arguments, in: directory, environment: environment)
        let outFile = directory.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let errFile = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: try String(contentsOf: outFile, encoding: .utf8),
                       stderr: try String(contentsOf: errFile, encoding: .utf8))
    }

    /// Runs `quarry arguments…` (output discarded) and SIGKILLs it after `delay` seconds; returns whether the kill
    /// landed while it ran (if not, it returns as soon as the process has exited).
    func runAndKill(_ arguments: [String], in directory: URL, after delay: Double) throws -> Bool {
        let process = try makeProcess(arguments, in: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        let landed = process.isRunning
        if landed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return landed
    }

    /// Waits until `process` holds the writer lock of `database` (the lock file names it), or it has exited.
    func waitForWriterLock(of database: URL, heldBy process: Process, purpose: String, timeout: Double = 60) -> Bool {
        let note = "\(purpose) (process \(process.processIdentifier))"
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if (try? String(contentsOfFile: database.path + "-writer", encoding: .utf8))?.contains(note) == true { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// The demo wiki (corpora/demo) ingested into `directory/name`, or a skip when the corpus is missing.
    func ingestDemoWiki(into directory: URL, name: String = "demo.sqlite") throws -> URL {
        let dump = TestResources.packageRoot.appendingPathComponent("corpora/demo/demo-wiki.xml.bz2")
        guard FileManager.default.fileExists(atPath: dump.path) else { throw XCTSkip("demo corpus not found at \(dump.path)") }
        let database = directory.appendingPathComponent(name)
        let ingest = try quarry(["ingest", dump.path, "--db", database.path, "--quiet"], in: directory)
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        return database
    }

    func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// A JSONL corpus of `count` synthetic documents (seeded), for inputs bigger than a hand-written file.
    func writeSyntheticCorpus(_ count: Int, to url: URL, seed: UInt64 = 11) throws {
        var generator = SplitMix64(seed: seed)
        func next() -> UInt64 { generator.next() }
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer = ""
        for index in 0..<count {
            let words = 20 + Int(next() % 300)
            let text = (0..<words).map { _ in "t\(next() % 5000)" }.joined(separator: " ")
            buffer += "{\"id\": \"doc-\(index)\", \"title\": \"Topic \(next() % 1000)\", \"text\": \"\(text)\"}\n"
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        handle.write(Data(buffer.utf8))
    }

    /// Every passage as "external id|ordinal|title|text", in id order, with the id in front.
    func passages(in database: URL) throws -> [String] {
        let store = try CorpusStore(url: database)
        return try store.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT p.id || '|' || d.external_id || '|' || p.ordinal || '|' || p.title || '|' || p.text
                FROM passages p JOIN documents d ON d.id = p.document_id ORDER BY p.id
                """)
        }
    }
}
