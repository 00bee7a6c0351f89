import GRDB
@testable import QuarryIngest
import QuarryStore
import QuarryTestSupport
import XCTest

final class TextReaderTests: IngestTestCase {
    private func readAll(_ reader: DocumentReader) throws -> [SourceDocument] {
        var documents: [SourceDocument] = []
        while let document = try reader.next() { documents.append(document) }
        return documents
    }

    func testDirectoryGivesOneDocumentPerFileInPathOrder() throws {
        let root = try TestResources.temporaryDirectory(for: self)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("b/c"), withIntermediateDirectories: true)
        try Data("second file".utf8).write(to: root.appendingPathComponent("b/c/Deep Note.md"))
        try Data("\u{FEFF}first file".utf8).write(to: root.appendingPathComponent("a.txt"))
        try Data("hidden".utf8).write(to: root.appendingPathComponent(".secret"))
        let reader = try TextReader(url: root)
        let documents = try readAll(reader)
        XCTAssertEqual(documents.map(\.externalID), ["a.txt", "b/c/Deep Note.md"])
        XCTAssertEqual(documents.map(\.title), ["a", "Deep Note"])
        XCTAssertEqual(documents.map(\.sections), [["first file"], ["second file"]], "byte-order mark dropped")
        XCTAssertEqual(reader.bytesRead, 13 + 11, "three bytes of byte-order mark count as read")
    }

    func testSingleFileIsIdentifiedByItsName() throws {
        let url = try makeFile("notes.txt", "hello there")
        XCTAssertEqual(try readAll(try TextReader(url: url)).map(\.externalID), ["notes.txt"])
    }

    func testInvalidUTF8AndBinaryFilesAreLocated() throws {
        let bad = try makeFile("latin1.txt", Array("caf".utf8) + [0xE9] + Array(" au lait".utf8))
        XCTAssertThrowsError(try readAll(try TextReader(url: bad))) { error in
            XCTAssertEqual("\(error)", "\(bad.path): byte 3: invalid UTF-8")
        }
        let binary = try makeFile("blob.bin", [0x41, 0x42, 0x00, 0x01])
        XCTAssertThrowsError(try readAll(try TextReader(url: binary))) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(binary.path): byte 2: NUL byte"), "\(error)")
        }
        XCTAssertThrowsError(try TextReader(url: bad.appendingPathExtension("missing"))) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
    }

    func testKeepGoingSkipsBadFiles() throws {
        let root = try TestResources.temporaryDirectory(for: self)
        try Data("good".utf8).write(to: root.appendingPathComponent("1.txt"))
        try Data([0xFF, 0xFE, 0x41]).write(to: root.appendingPathComponent("2.txt"))
        try Data("also good".utf8).write(to: root.appendingPathComponent("3.txt"))
        let reader = try TextReader(url: root, keepGoing: true)
        XCTAssertEqual(try readAll(reader).map(\.externalID), ["1.txt", "3.txt"])
        XCTAssertEqual(reader.skipped[.malformed], 1)
        XCTAssertEqual(reader.problems.map(\.place), ["byte 0"])
    }

    /// Real data: the 71 raw wikitext pages, read as plain text files (no cleaning: that is the wikitext reader's job).
    func testIngestsRealPagesAsTextFiles() throws {
        let archive = try TestResources.sharedData("wikitext-pages/wtf_wikipedia-tests-cache.tar.gz")
        let directory = try TestResources.temporaryDirectory(for: self)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-xzf", archive.path, "-C", directory.path]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        let pages = directory.appendingPathComponent("wtf_wikipedia-tests-cache")

        let store = try makeStore()
        let pipeline = IngestPipeline(store: store, splitter: try PassageSplitter())
        let summary = try pipeline.ingest(try TextReader(url: pages), source: "pages", file: pages.path)
        XCTAssertEqual(summary.pagesRead, 71)
        XCTAssertEqual(summary.documentsNew + (summary.skipped[.empty] ?? 0), 71)
        let sizes = try FileManager.default.contentsOfDirectory(at: pages, includingPropertiesForKeys: [.fileSizeKey])
            .map { try $0.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0 }
        XCTAssertEqual(sizes.count, 71)
        XCTAssertEqual(summary.bytesRead, Int64(sizes.reduce(0, +)))
        XCTAssertEqual(try store.documentCount(), summary.documentsNew)
        let toronto = try store.bm25Search(query: "Toronto", k: 3)
        XCTAssertEqual(toronto.first?.title, "toronto", "the title is the file name, toronto.txt")
        XCTAssertEqual(try pipeline.ingest(try TextReader(url: pages), source: "pages", file: pages.path).documentsNew, 0)
        XCTAssertEqual(try store.integrityProblems(), [])
    }
}
