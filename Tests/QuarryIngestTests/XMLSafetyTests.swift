import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

/// Hostile and broken XML: located errors, no entity expansion, no file or network access.
final class XMLSafetyTests: XCTestCase {
    private func page(_ text: String) -> String {
        "<page><title>T</title><ns>0</ns><id>1</id><revision><text>\(text)</text></revision></page>"
    }

    func testMalformedXMLNamesFileLineAndColumn() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        // A long second page keeps the error beyond the parser's read-ahead when the first page ends.
        let long = String(repeating: "fine text ", count: 30_000)
        let url = try write("<mediawiki>\n\(page("first"))\n\(page(long))<page><title>T2</title>\n  <ns>0</nss>\n</page></mediawiki>", to: "bad.xml", in: directory)
        let reader = try MediaWikiDumpReader(url: url)
        XCTAssertEqual(try reader.next()?.sections, ["first"])
        let error = ingestError { while try reader.next() != nil {} }
        XCTAssertEqual(error?.file, url.path)
        XCTAssertEqual(error?.place, "line 4, column 14")
        XCTAssertTrue(error?.message.contains("mismatch") ?? false, "\(String(describing: error))")
    }

    /// A truncated .bz2 dump: the documents before the cut come out, then an error at a byte offset.
    /// (bzip2 decodes whole 900 kB blocks, so the dump spans several.)
    func testTruncatedCompressedDump() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        var generator = SystemRandomNumberGenerator()
        let pages = (1...3_000).map { number in
            page("Page \(number): " + (0..<200).map { _ in String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 36) }.joined(separator: " "))
        }
        let url = try write("<mediawiki>\n" + pages.joined(separator: "\n") + "\n</mediawiki>\n", to: "dump.xml", in: directory)
        let whole = try Data(contentsOf: compress(url, with: "bzip2"))
        let cut = directory.appendingPathComponent("cut.xml.bz2")
        try whole.prefix(whole.count * 3 / 4).write(to: cut)
        let reader = try MediaWikiDumpReader(url: cut)
        var count = 0
        let error = ingestError { while try reader.next() != nil { count += 1 } }
        XCTAssertGreaterThan(count, 1_000)
        XCTAssertLessThan(count, 3_000)
        XCTAssertTrue(error?.place.hasPrefix("byte ") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.description.contains("cut.xml.bz2") ?? false)
    }

    func testBinaryJunkEmptyAndInvalidUTF8() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let junk = directory.appendingPathComponent("junk.bin")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: junk)
        XCTAssertTrue(ingestError { _ = try readAll(MediaWikiDumpReader(url: junk)) }?.description.contains("junk.bin") ?? false)
        let empty = try write("", to: "empty.xml", in: directory)
        XCTAssertTrue(ingestError { _ = try MediaWikiDumpReader(url: empty) }?.description.contains("empty") ?? false)
        let invalid = directory.appendingPathComponent("latin1.xml")
        try Data("<mediawiki>\n\(page("caf"))".utf8 + [0xE9, 0x20, 0xFF] + Data("</text></revision></page></mediawiki>".utf8)).write(to: invalid)
        let error = ingestError { _ = try readAll(MediaWikiDumpReader(url: invalid)) }
        XCTAssertTrue(error?.place.hasPrefix("line 2, column") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains("UTF-8") ?? false, "\(String(describing: error))")
    }

    /// Nested entity definitions that would expand to gigabytes: nothing is expanded.
    func testBillionLaughsIsNotExpanded() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        var entities = "<!ENTITY lol0 \"lol\">\n"
        for level in 1...9 { entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n" }
        let url = try write("<?xml version=\"1.0\"?>\n<!DOCTYPE mediawiki [\n\(entities)]>\n<mediawiki>\n\(page("before &lol9; after"))\n</mediawiki>", to: "laughs.xml", in: directory)
        let start = Date()
        let documents: [SourceDocument]
        do { documents = try readAll(MediaWikiDumpReader(url: url)) } catch let error as IngestError {
            // Refusing the file outright is also safe; it must be quick and located.
            XCTAssertTrue(error.description.contains("laughs.xml"))
            return
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        let text = documents.flatMap(\.sections).joined()
        XCTAssertLessThan(text.utf8.count, 1_000)
        XCTAssertFalse(text.contains("lollol"))
    }

    /// External entities (file and network) are never read.
    func testExternalEntitiesAreNotLoaded() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let marker = "SECRET-\(UUID().uuidString)"
        let secret = try write(marker, to: "secret.txt", in: directory)
        let url = try write("""
            <?xml version="1.0"?>
            <!DOCTYPE mediawiki [
            <!ENTITY secret SYSTEM "file://\(secret.path)">
            <!ENTITY remote SYSTEM "http://127.0.0.1:9/remote.txt">
            ]>
            <mediawiki>
            \(page("visible &secret; text &remote; end"))
            </mediawiki>
            """, to: "xxe.xml", in: directory)
        let jats = try write("""
            <?xml version="1.0"?>
            <!DOCTYPE article SYSTEM "file://\(secret.path)" [<!ENTITY secret SYSTEM "file://\(secret.path)">]>
            <article><front><article-meta><title-group><article-title>T &secret;</article-title></title-group>
            <abstract><p>Abstract &secret; text.</p></abstract></article-meta></front></article>
            """, to: "xxe.nxml", in: directory)
        var texts: [String] = []
        do {
            texts += try readAll(MediaWikiDumpReader(url: url)).flatMap { [$0.title] + $0.sections }
            texts += try readAll(JATSReader(url: jats)).flatMap { [$0.title] + $0.sections }
        } catch let error as IngestError {
            XCTAssertFalse(error.description.contains(marker))
        }
        XCTAssertFalse(texts.joined().contains(marker))
        XCTAssertTrue(texts.joined().contains("visible"))
    }

    /// keepGoing in the TREC reader skips only the broken record.
    func testKeepGoingSkipsBrokenRecordsOnly() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let records = (1...5).map { $0 == 3 ? "<doc><docno>3</docno><text>a & b</text></doc>" : "<doc><docno>\($0)</docno><text>ok</text></doc>" }
        let url = try write(records.joined(separator: "\n"), to: "mixed.xml", in: directory)
        XCTAssertEqual(ingestError { _ = try readAll(TRECReader(url: url)) }?.place.hasPrefix("line 3, column"), true)
        let reader = try TRECReader(url: url, keepGoing: true)
        XCTAssertEqual(try readAll(reader).map(\.externalID), ["1", "2", "4", "5"])
        XCTAssertEqual(reader.skipped, [.malformed: 1])
    }
}
