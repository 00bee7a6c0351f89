import Foundation
import QuarryNN
import QuarryTestSupport
import XCTest

/// `quarry encode` against the reference embeddings of all-MiniLM-L6-v2, through stdin and stdout.
final class EncodeCLITests: CLITestCase {
    private struct Fixture: Decodable {
        struct Row: Decodable {
            let text: String
            let embedding: [Float]
        }
        let rows: [Row]
    }

    /// Runs `quarry arguments…` with `input` on stdin.
    private func quarry(_ arguments: [String], stdin input: String, in directory: URL) throws -> Outcome {
        let inputFile = directory.appendingPathComponent("stdin-\(UUID().uuidString)")
        try Data(input.utf8).write(to: inputFile)
        let process = try makeProcess(arguments, in: directory)
        let outFile = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errFile = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: try String(contentsOf: outFile, encoding: .utf8),
                       stderr: try String(contentsOf: errFile, encoding: .utf8))
    }

    func testFixtureStringsMatchTheReferenceEmbeddings() throws {
        try checkFixtureStrings(precision: "fp32", minimumCosine: 0.9999)
    }

    func testBF16FixtureStringsStayCloseToTheReference() throws {
        guard Precision.cpuHasNativeBF16 else { throw XCTSkip("this CPU has no avx512_bf16: --precision bf16 is not checked here") }
        try checkFixtureStrings(precision: "bf16", minimumCosine: 0.999)
    }

    func testUnknownPrecisionIsAnError() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let result = try quarry(["encode", "--model", try TestResources.miniLM().path, "--precision", "fp16"],
                                stdin: "\"text\"\n", in: directory)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("fp16"), result.stderr)
    }

    private func checkFixtureStrings(precision: String, minimumCosine: Float) throws {
        let model = try TestResources.miniLM()
        let fixture = try JSONDecoder().decode(
            Fixture.self, from: Data(contentsOf: try TestResources.fixture("minilm/reference-embeddings.json")))
        let directory = try TestResources.temporaryDirectory(for: self)
        let lines = try fixture.rows.map { String(decoding: try JSONEncoder().encode($0.text), as: UTF8.self) }
        // A batch smaller than the input, so output is written while input is still being read.
        let result = try quarry(["encode", "--model", model.path, "--batch", "7", "--precision", precision],
                                stdin: lines.joined(separator: "\n") + "\n", in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = result.stdout.split(separator: "\n")
        XCTAssertEqual(output.count, fixture.rows.count, "one line per input")
        var worst: Float = 1
        for (row, line) in zip(fixture.rows, output) {
            let object = try XCTUnwrap(try json(String(line)) as? [String: Any])
            XCTAssertEqual(Array(object.keys), ["embedding"])
            let mine = try XCTUnwrap(object["embedding"] as? [NSNumber]).map(\.floatValue)
            XCTAssertEqual(mine.count, 384)
            let cosine = zip(mine, row.embedding).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                / (norm(mine) * norm(row.embedding))
            worst = min(worst, cosine)
            XCTAssertGreaterThanOrEqual(cosine, minimumCosine, "text: \(row.text.prefix(60))")
        }
        print("quarry encode --precision \(precision): worst cosine with the reference over \(output.count) strings: \(worst)")
    }

    func testBadLineIsAnErrorNamingIt() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let result = try quarry(["encode", "--model", model.path], stdin: "\"fine\"\n{\"text\": 1}\n", in: directory)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("stdin line 2"), result.stderr)
        XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
    }

    func testMissingModelFolderIsAnError() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let result = try quarry(["encode", "--model", directory.appendingPathComponent("nowhere").path],
                                stdin: "\"text\"\n", in: directory)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("nowhere"), result.stderr)
    }

    private func norm(_ v: [Float]) -> Float {
        v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
    }
}
