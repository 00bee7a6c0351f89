import Foundation
@testable import QuarryIngest
import XCTest

/// Throughput of the ingestion readers on a big dump, run by hand in release mode:
///
///     QUARRY_READER_BENCH=/path/dump.xml[.bz2] swift test -c release -Xswiftc -enable-testing \
///         --skip-build --filter ReaderThroughputTests
///
/// Skipped unless the variable names a file. Prints MB/s of decompressed XML for each stage alone:
/// decompression, decompression + XML parsing with page extraction, and the whole reader with cleaning.
final class ReaderThroughputTests: XCTestCase {
    private func benchmarkFile() throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["QUARRY_READER_BENCH"] else {
            throw XCTSkip("set QUARRY_READER_BENCH to a MediaWiki dump to measure reader throughput")
        }
        return URL(fileURLWithPath: path)
    }

    private func report(_ stage: String, bytes: Int64, since start: Date, until end: Date = Date(), extra: String = "") {
        let seconds = end.timeIntervalSince(start)
        print(String(format: "%@: %.1f MB of XML in %.2f s = %.1f MB/s %@", stage, Double(bytes) / 1e6, seconds,
                     Double(bytes) / 1e6 / seconds, extra))
    }

    func testDecompressionThroughput() throws {
        let source = try ByteSource(url: benchmarkFile())
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        defer { buffer.deallocate() }
        let start = Date()
        while try source.read(into: buffer, capacity: 1 << 16) > 0 {}
        report("decompression (\(source.compression.rawValue))", bytes: source.bytesProduced, since: start)
    }

    func testXMLParsingThroughput() throws {
        let source = try ByteSource(url: benchmarkFile())
        let stream = try XMLStream(source: source)
        let start = Date()
        var pages = 0, characters = 0
        var onPage = false
        while try (onPage ? stream.skipSubtree() : stream.read()) {
            onPage = false
            guard stream.isElementStart, stream.depth == 1, stream.nameIs("page") else { continue }
            let page = try stream.expand()
            characters += page.firstElement(named: "revision")?.firstElement(named: "text")?.text().utf8.count ?? 0
            pages += 1
            onPage = true
        }
        report("XML parse + page text", bytes: source.bytesProduced, since: start, extra: "(\(pages) pages, \(characters / 1_000_000) MB wikitext)")
    }

    func testWholeReaderThroughput() throws {
        let url = try benchmarkFile()
        let reader = try MediaWikiDumpReader(url: url)
        let start = Date()
        var documents = 0, words = 0
        while let document = try reader.next() {
            documents += 1
            for section in document.sections { words += section.utf8.reduce(0) { $0 + ($1 == 0x20 ? 1 : 0) } }
        }
        let end = Date()
        let produced = try ByteSource(url: url).compression == .none ? reader.bytesRead : Int64(-1)
        let bytes = produced >= 0 ? produced : try xmlSize(url)
        report("MediaWikiDumpReader (clean text)", bytes: bytes, since: start, until: end, extra: "(\(documents) documents, ~\(words / 1_000_000) M words)")
    }

    private func xmlSize(_ url: URL) throws -> Int64 {
        let source = try ByteSource(url: url)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        defer { buffer.deallocate() }
        while try source.read(into: buffer, capacity: 1 << 16) > 0 {}
        return source.bytesProduced
    }
}
