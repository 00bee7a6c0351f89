import Foundation
import QuarryIngest
import XCTest

/// Every document a reader yields.
func readAll(_ reader: DocumentReader) throws -> [SourceDocument] {
    var documents: [SourceDocument] = []
    while let document = try reader.next() { documents.append(document) }
    return documents
}

/// The error a throwing expression raises, as an `IngestError` (failing the test otherwise).
func ingestError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> IngestError? {
    do {
        try body()
        XCTFail("expected an IngestError", file: file, line: line)
    } catch let error as IngestError {
        return error
    } catch {
        XCTFail("expected an IngestError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Writes `text` to `name` in `directory`.
@discardableResult
func write(_ text: String, to name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}

/// Compresses a file with a command-line tool (bzip2, gzip, xz), returning the compressed file.
func compress(_ url: URL, with tool: String, options: [String] = []) throws -> URL {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool, "-k", "-f"] + options + [url.path]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw XCTSkip("\(tool) is not available") }
    let suffix = ["bzip2": "bz2", "gzip": "gz", "xz": "xz"][tool]!
    return URL(fileURLWithPath: url.path + "." + suffix)
}
