import Foundation
import GRDB
import QuarryTestSupport
import XCTest

/// Readers while a writer writes, two writers at once, and a full disk, through the real executable.
final class ConcurrentUseCLITests: CLITestCase {
    private func integrityCheck(_ database: URL) throws -> String {
        let queue = try DatabaseQueue(path: database.path)
        return try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Passages as "external id|ordinal|title|text", sorted: the content, whatever the row ids.
    private func content(_ database: URL) throws -> [String] {
        try passages(in: database).map { $0.split(separator: "|", maxSplits: 1).last.map(String.init) ?? $0 }.sorted()
    }

    /// `search` and `stats` run over and over while `ingest` writes: every run succeeds, counts only grow,
    /// and each stats answer is one snapshot (per-source figures add up to the totals).
    func testSearchAndStatsWhileIngesting() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let first = directory.appendingPathComponent("first.jsonl"), second = directory.appendingPathComponent("second.jsonl")
        try writeSyntheticCorpus(2_000, to: first, seed: 3)
        try writeSyntheticCorpus(40_000, to: second, seed: 5)
        let database = directory.appendingPathComponent("shared.sqlite")
        XCTAssertEqual(try quarry(["ingest", "--db", database.path, first.path, "--batch-documents", "200"], in: directory).status, 0)
        let writer = try makeProcess(["ingest", "--db", database.path, second.path, "--batch-documents", "500"], in: directory)
        let writerErrors = Pipe()
        writer.standardError = writerErrors
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        var lastDocuments = 0, runs = 0, sawGrowth = false
        while writer.isRunning || runs < 4 {
            let stats = try quarry(["stats", "--db", database.path, "--json"], in: directory)
            XCTAssertEqual(stats.status, 0, stats.stderr)
            XCTAssertFalse(stats.stderr.contains("locked"), stats.stderr)
            if let figures = try? json(stats.stdout) as? [String: Any], let documents = figures["documents"] as? Int,
               let passages = figures["passages"] as? Int, let sources = figures["sources"] as? [[String: Any]] {
                XCTAssertGreaterThanOrEqual(documents, lastDocuments, "document count went back")
                if documents > lastDocuments && lastDocuments > 0 { sawGrowth = true }
                lastDocuments = documents
                XCTAssertEqual(sources.compactMap { $0["documents"] as? Int }.reduce(0, +), documents, "one snapshot: \(stats.stdout)")
                XCTAssertEqual(sources.compactMap { $0["passages"] as? Int }.reduce(0, +), passages, "one snapshot: \(stats.stdout)")
            } else {
                XCTFail("stats --json printed \(stats.stdout)")
            }
            let search = try quarry(["search", "--db", database.path, "t17 t4242 t999", "--json", "--k", "5"], in: directory)
            XCTAssertEqual(search.status, 0, search.stderr)
            XCTAssertFalse(search.stderr.contains("locked"), search.stderr)
            XCTAssertEqual((try? json(search.stdout) as? [[String: Any]])?.count, 5, search.stdout + search.stderr)
            runs += 1
        }
        writer.waitUntilExit()
        let writerMessages = String(decoding: writerErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(writer.terminationStatus, 0, writerMessages)
        XCTAssertGreaterThan(runs, 4)
        XCTAssertTrue(sawGrowth, "the readers ran while the writer was adding documents (\(runs) rounds)")
        XCTAssertEqual(lastDocuments <= 42_000, true)
        XCTAssertEqual(try integrityCheck(database), "ok")
    }

    /// Two `ingest` processes on one database at once: each finishes or is refused with a clear message
    /// (and then runs again); the end result holds exactly what a serial run holds.
    func testTwoWritersAtOnce() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let inputs = [directory.appendingPathComponent("a.jsonl"), directory.appendingPathComponent("b.jsonl")]
        try writeSyntheticCorpus(15_000, to: inputs[0], seed: 21)
        try writeSyntheticCorpus(15_000, to: inputs[1], seed: 22)
        let serial = directory.appendingPathComponent("serial.sqlite")
        for input in inputs { XCTAssertEqual(try quarry(["ingest", "--db", serial.path, input.path, "--source", input.lastPathComponent], in: directory).status, 0) }

        let database = directory.appendingPathComponent("together.sqlite")
        let processes = try inputs.map { input -> (Process, Pipe) in
            let process = try makeProcess(["ingest", "--db", database.path, input.path, "--source", input.lastPathComponent,
                                           "--batch-documents", "300"], in: directory)
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            return (process, errors)
        }
        for (process, _) in processes { try process.run() }
        var refused: [URL] = []
        for ((process, errors), input) in zip(processes, inputs) {
            let messages = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                XCTAssertEqual(process.terminationStatus, 1, messages)
                XCTAssertTrue(messages.contains("another") || messages.contains("busy") || messages.contains("in use"),
                              "a clear refusal, not \(messages)")
                refused.append(input)
            }
            XCTAssertFalse(messages.contains("database is locked"), messages)
        }
        XCTAssertLessThan(refused.count, 2, "at least one writer ran")
        for input in refused {
            XCTAssertEqual(try quarry(["ingest", "--db", database.path, input.path, "--source", input.lastPathComponent], in: directory).status, 0)
        }
        XCTAssertEqual(try integrityCheck(database), "ok")
        XCTAssertEqual(try content(database), try content(serial), "the same content as a serial run")
        // Never interleaved within a document: each document's passages have consecutive ids in order.
        let queue = try DatabaseQueue(path: database.path)
        let broken = try queue.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT document_id, max(id) - min(id) + 1 AS span, count(*) AS n,
                       max(ordinal) + 1 AS ordinals FROM passages GROUP BY document_id) WHERE span != n OR ordinals != n
                """)
        }
        XCTAssertEqual(broken, 0)
    }

    /// `search`, `ask` and `eval` over the dense cache run over and over while `embed` writes another cache and then
    /// while `ingest` adds documents: every run succeeds, none says "database is locked", and the answers stay
    /// those given before the writer started (the cache they read is not the one being written, and a cache
    /// answers over its own passage list however many passages are added).
    func testAskSearchAndEvalWhileEmbedAndIngestWrite() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let database = try ingestDemoWiki(into: directory)
        let embed = ["embed", "--db", database.path, "--model", model.path, "--quiet"]
        XCTAssertEqual(try quarry(embed, in: directory).status, 0)
        let qa = TestResources.packageRoot.appendingPathComponent("corpora/demo/qa/test.jsonl").path
        let readers: [[String]] = [
            ["search", "the planet closest to the Sun", "--dense", "--cache", "dense", "--json", "--k", "5"],
            ["ask", "How many moons does Mars have?", "--retriever", "dense", "--reader", "none", "-k", "5", "--json"],
            ["eval", "--qa", qa, "--retriever", "dense", "--reader", "none", "--k", "1,5", "--json"],
        ].map { $0 + ["--db", database.path] }
        let answers = try readers.map { command -> String in
            let outcome = try quarry(command, in: directory)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            return try comparable(outcome.stdout)
        }
        let synthetic = directory.appendingPathComponent("more.jsonl")
        try writeSyntheticCorpus(10_000, to: synthetic, seed: 8)
        let writers = [embed + ["--name", "second", "--batch", "8", "--max-tokens", "64"],
                       ["ingest", "--db", database.path, synthetic.path, "--batch-documents", "500", "--quiet"]]
        for arguments in writers {
            let writer = try makeProcess(arguments, in: directory)
            writer.standardOutput = FileHandle.nullDevice
            writer.standardError = FileHandle.nullDevice
            try writer.run()
            var rounds = 0
            while writer.isRunning {
                for (command, expected) in zip(readers, answers) {
                    let outcome = try quarry(command, in: directory)
                    XCTAssertEqual(outcome.status, 0, "\(command[0]) beside \(arguments[0]): \(outcome.stderr)")
                    XCTAssertFalse(outcome.stderr.contains("locked"), outcome.stderr)
                    XCTAssertEqual(try comparable(outcome.stdout), expected, "\(command[0]) beside \(arguments[0]) answered otherwise")
                }
                rounds += 1
            }
            writer.waitUntilExit()
            XCTAssertEqual(writer.terminationStatus, 0, "\(arguments[0]) failed beside the readers")
            XCTAssertGreaterThan(rounds, 0, "the readers ran while \(arguments[0]) wrote")
        }
        XCTAssertEqual(try integrityCheck(database), "ok")
    }

    /// JSON output without timings, keys sorted, for comparing answers.
    private func comparable(_ output: String) throws -> String {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !$0.key.contains("second") && !$0.key.contains("time") }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let data = try JSONSerialization.data(withJSONObject: strip(try json(output)), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// A database on a 2 MB tmpfs: ingest fails with a clear message, the store stays consistent, and with
    /// room made the same command completes with the same content as on an ordinary disk.
    func testFullDisk() throws {
        guard getuid() == 0 else { throw XCTSkip("mounting a small tmpfs needs root") }
        let directory = try TestResources.temporaryDirectory(for: self)
        let mountPoint = directory.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = try runSystem("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path])
        guard mount == 0 else { throw XCTSkip("cannot mount a tmpfs here") }
        defer { _ = try? runSystem("/bin/umount", [mountPoint.path]) }
        let input = directory.appendingPathComponent("corpus.jsonl")
        try writeSyntheticCorpus(6_000, to: input, seed: 9)
        let database = mountPoint.appendingPathComponent("full.sqlite")
        let arguments = ["ingest", "--db", database.path, input.path, "--source", "corpus", "--batch-documents", "500"]
        let full = try quarry(arguments, in: directory)
        XCTAssertEqual(full.status, 1, "ingest on a full disk fails: \(full.stdout) \(full.stderr)")
        XCTAssertTrue(full.stderr.contains("full") || full.stderr.contains("space"), "a clear message: \(full.stderr)")
        XCTAssertFalse(full.stderr.contains("Fatal error"), full.stderr)
        XCTAssertEqual(try integrityCheck(database), "ok")

        XCTAssertEqual(try runSystem("/bin/mount", ["-o", "remount,size=256m", mountPoint.path]), 0)
        let resumed = try quarry(arguments, in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let reference = directory.appendingPathComponent("reference.sqlite")
        XCTAssertEqual(try quarry(["ingest", "--db", reference.path, input.path, "--source", "corpus"], in: directory).status, 0)
        XCTAssertEqual(try integrityCheck(database), "ok")
        XCTAssertEqual(try content(database), try content(reference))
    }

    private func runSystem(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
