import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

final class DocumentFormatTests: XCTestCase {
    func testRealFiles() throws {
        let cases: [(String, DocumentFormat)] = [
            ("mediawiki-xml/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2", .mediawiki),
            ("mediawiki-xml/bgwiki-latest-pages-articles-shortened.xml.bz2", .mediawiki),
            ("mediawiki-xml/ltgwiki-smallwiki-latest-pages-articles.xml", .mediawiki),
            ("trec-xml/cran.all.1400.xml", .trec),
            ("trec-xml/cran.qry.xml", .xml),
            ("trec-xml/cranqrel.trec.txt", .text),
            ("trec-xml/topics.robust04.txt", .xml),   // SGML topics: markup, not XML; the generic reader will say so
            ("pubmed-xml/pone.0000217.nxml", .jats),
            ("pubmed-xml/pubmed-29768149.xml", .jats),
        ]
        for (path, format) in cases {
            XCTAssertEqual(try DocumentFormat.detect(url: TestResources.sharedData(path)), format, path)
        }
    }

    func testSmallInputs() throws {
        func detect(_ text: String) throws -> DocumentFormat { try DocumentFormat.detect(prefix: Array(text.utf8), file: "f") }
        XCTAssertEqual(try detect("{\"id\": \"1\", \"text\": \"x\"}\n{\"id\": \"2\"}"), .jsonl)
        XCTAssertEqual(try detect("\n  {\"id\": 1}"), .jsonl)
        XCTAssertEqual(try detect("Plain prose { with a brace }."), .text)
        XCTAssertEqual(try detect("<!-- c --><?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><DOC>"), .trec)
        XCTAssertEqual(try detect("<PubmedArticleSet>"), .jats)
        XCTAssertEqual(try detect("<corpus><item/></corpus>"), .xml)
        XCTAssertEqual(ingestError { _ = try detect("") }?.message, "empty file")
        XCTAssertEqual(ingestError { _ = try DocumentFormat.detect(prefix: [0x41, 0x00, 0x42], file: "bin") }?.place, "byte 1")
    }
}
