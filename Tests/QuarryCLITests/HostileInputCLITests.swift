import Foundation
import GRDB
import QuarryTestSupport
import XCTest

/// Hostile inputs through `quarry ingest` and `quarry search`: entity bombs and external entities, a huge
/// page, deep template nesting, a giant line, invalid UTF-8 in every reader, SQL/FTS5 syntax in user strings.
final class HostileInputCLITests: CLITestCase {
    /// Runs `quarry` under /usr/bin/time, returning the outcome and the peak resident set in MiB.
    func measuredQuarry(_ arguments: [String], in directory: URL) throws -> (Outcome, peakMiB: Double) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("/usr/bin/time is needed to measure peak memory") }
        let report = directory.appendingPathComponent("time-\(UUID().uuidString).txt")
        let outcome = try runTool(URL(fileURLWithPath: "/usr/bin/time"),
                                  ["-f", "%M", "-o", report.path, try quarryURL().path] + arguments, in: directory)
        let text = try String(contentsOf: report, encoding: .utf8)
        let kilobytes = text.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.last ?? .infinity
        return (outcome, kilobytes / 1024)
    }

    func runTool(_ tool: URL, _ arguments: [String], in directory: URL) throws -> Outcome {
        let process = try makeProcess(arguments, in: directory)
        process.executableURL = tool
        let out = directory.appendingPathComponent(".out-\(UUID().uuidString)"), err = directory.appendingPathComponent(".err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                       stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    private func page(_ id: Int, _ text: String, title: String = "T") -> String {
        "<page><title>\(title)\(id)</title><ns>0</ns><id>\(id)</id><revision><text>\(text)</text></revision></page>"
    }

    /// All passage text and titles in the database, one string.
    private func storedText(_ database: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: database.path) else { return "" }
        return try passages(in: database).joined(separator: "\n")
    }

    private func integrityCheck(_ database: URL) throws -> String {
        let queue = try DatabaseQueue(path: database.path)
        return try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" }
    }

    // MARK: Entities

    func testEntityBombsAndExternalEntitiesInEveryXMLFormat() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let marker = "SECRET\(UUID().uuidString.prefix(8))"
        let secret = directory.appendingPathComponent("secret.txt")
        try Data(marker.utf8).write(to: secret)
        let listener = try LoopbackListener()
        var entities = "<!ENTITY lol0 \"lol\">\n"
        for level in 1...9 { entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n" }
        entities += "<!ENTITY secret SYSTEM \"file://\(secret.path)\">\n<!ENTITY plain SYSTEM \"\(secret.path)\">\n"
        entities += "<!ENTITY remote SYSTEM \"http://127.0.0.1:\(listener.port)/x.txt\">\n"
        entities += "<!ENTITY % dtd SYSTEM \"http://127.0.0.1:\(listener.port)/x.dtd\">\n%dtd;\n"
        let body = "start &lol9; middle &secret; &plain; &remote; finish"
        let inputs: [(name: String, root: String, content: String, options: [String])] = [
            ("wiki.xml", "mediawiki", "<mediawiki>\(page(1, body))\(page(2, "second page words"))</mediawiki>", ["--format", "mediawiki"]),
            ("paper.nxml", "article", "<article><front><article-meta><title-group><article-title>Paper \(body)</article-title></title-group><abstract><p>Abstract \(body)</p></abstract></article-meta></front><body><sec><p>Body \(body)</p></sec></body></article>", ["--format", "jats"]),
            ("generic.xml", "items", "<items><item><name>Item \(body)</name><desc>Words \(body)</desc></item></items>",
             ["--format", "xml", "--doc-element", "item", "--title-element", "name", "--text-element", "desc"]),
        ]
        for input in inputs {
            let file = directory.appendingPathComponent(input.name)
            try Data("<?xml version=\"1.0\"?>\n<!DOCTYPE \(input.root) SYSTEM \"http://127.0.0.1:\(listener.port)/root.dtd\" [\n\(entities)]>\n\(input.content)\n".utf8).write(to: file)
            let database = directory.appendingPathComponent("\(input.name).sqlite")
            let start = Date()
            let (outcome, peak) = try measuredQuarry(["ingest", "--db", database.path, file.path] + input.options, in: directory)
            XCTAssertLessThan(Date().timeIntervalSince(start), 30, input.name)
            XCTAssertLessThan(peak, 300, "\(input.name): peak RSS \(peak) MiB")
            XCTAssertTrue([0, 1].contains(outcome.status), "\(input.name): \(outcome.stderr)")
            if outcome.status != 0 { XCTAssertTrue(outcome.stderr.contains(file.path), outcome.stderr) }
            let text = try storedText(database)
            XCTAssertFalse(text.contains(marker), "\(input.name): the external file was read")
            XCTAssertFalse(text.contains("lollol"), "\(input.name): entities were expanded")
            XCTAssertLessThan(text.utf8.count, 10_000, input.name)
            if outcome.status == 0 { XCTAssertTrue(text.contains("finish"), "\(input.name): the text around the entities is kept: \(text)") }
        }
        XCTAssertEqual(listener.connectionsAttempted(), 0, "no network access")
    }

    // MARK: Size

    /// One page of 100 MB of wikitext: refused with a located error or ingested, in bounded memory.
    func testHundredMegabytePage() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let file = directory.appendingPathComponent("huge-page.xml")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        handle.write(Data("<mediawiki>\(page(1, "a small first page"))<page><title>Huge</title><ns>0</ns><id>2</id><revision><text>".utf8))
        let block = Data(String(repeating: "word [[link|shown]] {{tmpl|x}} more words.\n", count: 24_000).utf8)
        for _ in 0..<(100_000_000 / block.count + 1) { handle.write(block) }
        handle.write(Data("</text></revision></page>\(page(3, "a page after the huge one"))</mediawiki>".utf8))
        try handle.close()
        let database = directory.appendingPathComponent("huge.sqlite")
        let (outcome, peak) = try measuredQuarry(["ingest", "--db", database.path, file.path], in: directory)
        print("100 MB page: status \(outcome.status), peak RSS \(Int(peak)) MiB, stderr: \(outcome.stderr.prefix(300))")
        XCTAssertLessThan(peak, 1_200, "peak RSS \(peak) MiB for a 100 MB page")
        if outcome.status != 0 {
            XCTAssertEqual(outcome.status, 1)
            XCTAssertTrue(outcome.stderr.contains("huge-page.xml") && outcome.stderr.contains("line "), outcome.stderr)
            XCTAssertFalse(outcome.stderr.contains("malformed XML\n"), "says what is wrong: \(outcome.stderr)")
        }
        XCTAssertEqual(try integrityCheck(database), "ok")
    }

    /// Templates and links nested 100,000 deep: no stack overflow, the text after them survives.
    func testTemplatesNestedHundredThousandDeep() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let depth = 100_000
        let nested = String(repeating: "{{a|", count: depth) + "core" + String(repeating: "}}", count: depth)
        let unclosed = String(repeating: "{{", count: depth) + String(repeating: "[[", count: depth)
        let links = String(repeating: "[[a|", count: depth) + String(repeating: "]]", count: depth)
        let file = directory.appendingPathComponent("deep.xml")
        try Data("<mediawiki>\(page(1, "before \(nested) after nested"))\(page(2, "\(links) after links"))\(page(3, "start \(unclosed) tail"))\(page(4, "last page"))</mediawiki>".utf8).write(to: file)
        let database = directory.appendingPathComponent("deep.sqlite")
        let start = Date()
        let outcome = try quarry(["ingest", "--db", database.path, file.path, "--json"], in: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        let text = try storedText(database)
        XCTAssertTrue(text.contains("after nested") && text.contains("after links") && text.contains("last page"), String(text.prefix(500)))
    }

    /// A text file that is one line without a newline: bounded memory, a result or a located error.
    /// 300 MB by default; `QUARRY_LONG_LINE_MB=2048` runs the 2 GB case.
    func testGiantLineWithoutNewlines() throws {
        let megabytes = Int(ProcessInfo.processInfo.environment["QUARRY_LONG_LINE_MB"] ?? "") ?? 300
        let directory = try TestResources.temporaryDirectory(for: self)
        let block = Data(String(repeating: "lorem ipsum dolor sit amet ", count: 40_000).utf8)
        for (name, head, tail) in [("line.txt", "", ""), ("line.jsonl", "{\"id\": \"1\", \"title\": \"t\", \"text\": \"", "\"}")] {
            let file = directory.appendingPathComponent(name)
            FileManager.default.createFile(atPath: file.path, contents: nil)
            let handle = try FileHandle(forWritingTo: file)
            handle.write(Data(head.utf8))
            for _ in 0..<(megabytes << 20) / block.count { handle.write(block) }
            handle.write(Data(tail.utf8))
            try handle.close()
            let database = directory.appendingPathComponent("\(name).sqlite")
            let (outcome, peak) = try measuredQuarry(["ingest", "--db", database.path, file.path], in: directory)
            print("\(megabytes) MB line in \(name): status \(outcome.status), peak RSS \(Int(peak)) MiB, stderr: \(outcome.stderr.prefix(300))")
            XCTAssertLessThan(peak, 600, "\(name): peak RSS \(peak) MiB for a \(megabytes) MB line")
            if outcome.status != 0 {
                XCTAssertEqual(outcome.status, 1)
                XCTAssertTrue(outcome.stderr.contains(name) && outcome.stderr.contains("byte") || outcome.stderr.contains("line "), outcome.stderr)
            }
            try FileManager.default.removeItem(at: file)
        }
    }

    // MARK: Encoding

    func testInvalidUTF8InEveryReader() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let bad: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x20, 0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80]
        func bytes(_ before: String, _ after: String) -> Data { Data(before.utf8) + Data(bad) + Data(after.utf8) }
        let inputs: [(name: String, data: Data, options: [String])] = [
            ("wiki.xml", bytes("<mediawiki>\n<page><title>T</title><ns>0</ns><id>1</id><revision><text>", "</text></revision></page></mediawiki>"), []),
            ("trec.xml", bytes("<doc>\n<docno>1</docno>\n<text>", "</text>\n</doc>\n"), ["--format", "trec"]),
            ("paper.nxml", bytes("<article><front><article-meta><title-group><article-title>", "</article-title></title-group></article-meta></front></article>"), ["--format", "jats"]),
            ("generic.xml", bytes("<items><item><name>", "</name></item></items>"), ["--format", "xml", "--doc-element", "item", "--title-element", "name"]),
            ("plain.txt", bytes("some text ", " more"), []),
            ("rows.jsonl", bytes("{\"id\": \"1\", \"title\": \"t\", \"text\": \"", "\"}\n"), []),
        ]
        for input in inputs {
            let file = directory.appendingPathComponent(input.name)
            try input.data.write(to: file)
            let outcome = try quarry(["ingest", "--db", directory.appendingPathComponent("\(input.name).sqlite").path, file.path] + input.options, in: directory)
            XCTAssertEqual(outcome.status, 1, "\(input.name): \(outcome.stdout) \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(file.path), "\(input.name): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("UTF-8") || outcome.stderr.contains("encoding") || outcome.stderr.contains("Bytes"), "\(input.name): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("line ") || outcome.stderr.contains("byte "), "\(input.name): located: \(outcome.stderr)")
        }
    }

    // MARK: SQL and FTS5 syntax

    func testSQLAndFTSSyntaxInEveryUserString() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let nasty = ["'; DROP TABLE passages; --", "\" OR 1=1 --", "NEAR(a b, 3)", "title:x*", "a AND NOT b", "^start",
                     "Robert'); DELETE FROM documents;--", "%_\\", "{title text}: y", "(\"unbalanced"]
        let corpus = directory.appendingPathComponent("nasty'; --.jsonl")
        let rows = nasty.enumerated().map { index, text -> String in
            let object: [String: Any] = ["id": "id-\(index) \(text)", "title": "title \(text)", "text": "danube \(text) words \(index)"]
            return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: corpus)
        let database = directory.appendingPathComponent("db '\"; DROP.sqlite")
        let ingest = try quarry(["ingest", "--db", database.path, corpus.path, "--source", "src'); DROP TABLE documents; --"], in: directory)
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        let stored = try passages(in: database)
        XCTAssertEqual(stored.count, nasty.count)
        for (index, text) in nasty.enumerated() {
            XCTAssertTrue(stored.contains { $0.contains("|id-\(index) \(text)|0|title \(text)|danube \(text) words \(index)") }, "row \(index) stored exactly")
        }
        for query in nasty + ["*", "\"", "NEAR(", "'", "-", ")", "AND", "OR OR", ":"] {
            let search = try quarry(["search", "--db", database.path, query, "--json"], in: directory)
            XCTAssertEqual(search.status, 0, "query \(query.debugDescription): \(search.stderr)")
            XCTAssertFalse(search.stderr.lowercased().contains("syntax"), search.stderr)
            XCTAssertNotNil(try? json(search.stdout), "query \(query.debugDescription): \(search.stdout)")
        }
        let found = try XCTUnwrap(try json(quarry(["search", "--db", database.path, "DROP TABLE passages", "--json", "--k", "20"], in: directory).stdout) as? [[String: Any]])
        XCTAssertEqual(found.count, 1, "the words are searched for as words")
        let stats = try quarry(["stats", "--db", database.path, "--json"], in: directory)
        XCTAssertEqual(stats.status, 0, stats.stderr)
        let figures = try XCTUnwrap(try json(stats.stdout) as? [String: Any])
        XCTAssertEqual(figures["documents"] as? Int, nasty.count)
        XCTAssertEqual((figures["sources"] as? [[String: Any]])?.first?["source"] as? String, "src'); DROP TABLE documents; --")
        XCTAssertEqual(try integrityCheck(database), "ok")

        // A NUL (JSON "\u0000") would cut SQLite text short when read back: a space in title and text, an
        // error in an id (ids differing only after it would collide).
        let nul = directory.appendingPathComponent("nul.jsonl")
        try Data(#"{"id": "n1", "title": "a\u0000b", "text": "before\u0000after"}"#.utf8 + Data("\n".utf8)).write(to: nul)
        XCTAssertEqual(try quarry(["ingest", "--db", database.path, nul.path, "--source", "nul"], in: directory).status, 0)
        XCTAssertTrue(try passages(in: database).contains { $0.hasSuffix("|n1|0|a b|before after") })
        try Data(#"{"id": "n\u0000x", "text": "t"}"#.utf8 + Data("\n".utf8)).write(to: nul)
        let refused = try quarry(["ingest", "--db", database.path, nul.path, "--source", "nul"], in: directory)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("nul.jsonl: line 1") && refused.stderr.contains("NUL"), refused.stderr)
    }
}

/// A TCP socket listening on 127.0.0.1 (any free port) that counts connection attempts, to prove nothing
/// reached for the network.
final class LoopbackListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw XCTSkip("no sockets here") }
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { close(descriptor); throw XCTSkip("cannot listen on 127.0.0.1") }
        port = UInt16(bigEndian: address.sin_port)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(descriptor) }

    /// Connections waiting to be accepted (each one accepted and closed).
    func connectionsAttempted() -> Int {
        var count = 0
        while true {
            let connection = accept(descriptor, nil, nil)
            if connection < 0 { return count }
            close(connection)
            count += 1
        }
    }
}
