import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

final class TRECReaderTests: XCTestCase {
    /// Cranfield: 1,400 root-less `<doc>` records, DOCNO 1…1400; records 471 and 995 are empty in the
    /// collection itself (no title, no text) and are skipped as such.
    func testCranfieldCollection() throws {
        let url = try TestResources.sharedData("trec-xml/cran.all.1400.xml")
        let reader = try TRECReader(url: url)
        let documents = try readAll(reader)
        XCTAssertEqual(documents.count, 1_398)
        XCTAssertEqual(documents.map(\.externalID), (1...1_400).filter { $0 != 471 && $0 != 995 }.map(String.init))
        XCTAssertEqual(reader.skipped, [.empty: 2])
        XCTAssertTrue(documents.allSatisfy { $0.sections.count == 1 })
        XCTAssertEqual(documents.filter { $0.title.isEmpty }.count, 0)
        XCTAssertEqual(documents[0].location, "line 1")
        XCTAssertEqual(reader.bytesRead, 1_741_433)
    }

    func testUppercaseRecordsWithoutTextElement() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = try write("""
            <DOC>
            <DOCNO> FT911-1 </DOCNO>
            <HEADLINE>Markets fall</HEADLINE>
            <BODY>Shares fell   sharply.</BODY>
            </DOC>
            <DOC><DOCNO>FT911-2</DOCNO><TEXT>First.</TEXT><TEXT>Second.</TEXT></DOC>
            """, to: "ft.trec", in: directory)
        let documents = try readAll(TRECReader(url: url))
        XCTAssertEqual(documents, [
            SourceDocument(externalID: "FT911-1", title: "Markets fall", sections: ["Shares fell sharply."], location: "line 1"),
            SourceDocument(externalID: "FT911-2", title: "", sections: ["First.", "Second."], location: "line 6"),
        ])
    }

    /// A broken record: the error gives the line in the file; keepGoing skips it and reads on.
    func testMalformedRecord() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = try write("<doc><docno>1</docno><text>fine</text></doc>\n<doc>\n<docno>2</docno>\n<text>a <b>bad</text>\n</doc>\n<doc><docno>3</docno><text>also fine</text></doc>\n",
                            to: "bad.xml", in: directory)
        let error = ingestError { _ = try readAll(TRECReader(url: url)) }
        XCTAssertEqual(error?.file, url.path)
        XCTAssertTrue(error?.place.hasPrefix("line 4, column") ?? false, "\(String(describing: error))")
        let reader = try TRECReader(url: url, keepGoing: true)
        XCTAssertEqual(try readAll(reader).map(\.externalID), ["1", "3"])
        XCTAssertEqual(reader.skipped[.malformed], 1)
    }

    func testUnclosedRecordAndJunk() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let unclosed = try write("<doc><docno>1</docno><text>x</text></doc>\n<doc><docno>2</docno>\n", to: "cut.xml", in: directory)
        XCTAssertEqual(ingestError { _ = try readAll(TRECReader(url: unclosed)) }?.place, "line 2")
        let junk = try write("hello world\nno records here\n", to: "junk.txt", in: directory)
        XCTAssertTrue(ingestError { _ = try readAll(TRECReader(url: junk)) }?.message.contains("outside a <DOC>") ?? false)
        let empty = try write("", to: "empty.xml", in: directory)
        XCTAssertEqual(ingestError { _ = try readAll(TRECReader(url: empty)) }?.message, "empty file")
    }
}
