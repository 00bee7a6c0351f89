import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

final class MediaWikiDumpReaderTests: XCTestCase {
    /// The enwiki sample: 206 pages, 100 redirects (one of them the only namespace-4 page), so 106
    /// articles in namespace 0.
    func testEnglishDumpCounts() throws {
        let url = try TestResources.sharedData("mediawiki-xml/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
        let reader = try MediaWikiDumpReader(url: url)
        XCTAssertEqual(reader.collection?.source, "mediawiki:enwiki")
        let documents = try readAll(reader)
        XCTAssertEqual(reader.pagesRead, 206)
        XCTAssertEqual(reader.skipped[.redirect], 100)
        XCTAssertEqual(reader.skipped[.namespace, default: 0], 0)
        XCTAssertEqual(documents.count, 106)
        XCTAssertEqual(reader.bytesRead, Int64(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int))
        XCTAssertEqual(Set(documents.map(\.externalID)).count, 106)
        XCTAssertTrue(documents.contains { $0.title == "Anarchism" && $0.sections.count > 10 })
        for document in documents {
            WikitextResidue.assertNone(in: document.sections.joined(separator: "\n"), document.title)
        }
        // Every namespace read (the redirect in namespace 4 is still a redirect).
        let all = try MediaWikiDumpReader(url: url, namespaces: [0, 4])
        XCTAssertEqual(try readAll(all).count, 106)
        XCTAssertEqual(all.skipped[.redirect], 100)
    }

    /// Whole Latgalian wiki: 2,004 pages, 195 redirects (147 of them in namespace 0), 1,050 pages in
    /// namespace 0, so 903 articles; 8 of them hold only tables and image links and clean to nothing.
    func testLatgalianDumpCounts() throws {
        let url = try TestResources.sharedData("mediawiki-xml/ltgwiki-smallwiki-latest-pages-articles.xml")
        let reader = try MediaWikiDumpReader(url: url)
        let documents = try readAll(reader)
        XCTAssertEqual(reader.pagesRead, 2_004)
        XCTAssertEqual(reader.skipped[.redirect], 195)
        XCTAssertEqual(reader.skipped[.namespace], 2_004 - 195 - 903)
        XCTAssertEqual(documents.count + reader.skipped[.empty, default: 0], 903)
        XCTAssertEqual(reader.skipped[.empty], 8)
        XCTAssertEqual(documents.count, 895)
        for document in documents {
            WikitextResidue.assertNone(in: document.sections.joined(separator: "\n"), document.title)
        }
        let templates = try MediaWikiDumpReader(url: url, namespaces: [10])
        _ = try readAll(templates)
        XCTAssertEqual(templates.skipped[.namespace], 2_004 - 195 - (347 - 44))
    }

    /// Five table-heavy articles in a dump without `<siteinfo>`.
    func testTableMarkupDump() throws {
        let url = try TestResources.sharedData("mediawiki-xml/enwiki-table-markup.xml.bz2")
        let reader = try MediaWikiDumpReader(url: url)
        XCTAssertNil(reader.collection)
        let documents = try readAll(reader)
        XCTAssertEqual(documents.count, 5)
        for document in documents {
            WikitextResidue.assertNone(in: document.sections.joined(separator: "\n"), document.title)
            XCTAssertFalse(document.sections.joined().contains("{|"), document.title)
        }
    }

    /// UTF-16 LE with a byte-order mark: read correctly (libxml2 decodes it), Cyrillic intact.
    func testUTF16Dump() throws {
        let url = try TestResources.sharedData("mediawiki-xml/bgwiki-latest-pages-articles-shortened.xml.bz2")
        let reader = try MediaWikiDumpReader(url: url, namespaces: [0, 4])
        let documents = try readAll(reader)
        XCTAssertEqual(reader.pagesRead, 3)
        XCTAssertEqual(documents.count, 3)
        let cyrillic = documents.flatMap(\.sections).joined().unicodeScalars.filter { (0x400...0x4FF).contains($0.value) }.count
        XCTAssertGreaterThan(cyrillic, 10_000)
        let articles = try readAll(MediaWikiDumpReader(url: url))
        XCTAssertEqual(articles.count, 1)
    }

    /// Schema 0.3 pages have no `<ns>`: the namespace comes from the title prefix and `<siteinfo>`.
    func testOldSchemaNamespaceFromTitle() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = try write("""
            <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.3/" version="0.3">
            <siteinfo><namespaces><namespace key="0" /><namespace key="4">Project</namespace></namespaces></siteinfo>
            <page><title>Project:About</title><id>1</id><revision><id>5</id><text>About the project text.</text></revision></page>
            <page><title>Article</title><id>2</id><revision><id>6</id><text>Some '''article''' text.</text></revision></page>
            <page><title>Old</title><id>3</id><revision><id>7</id><text>#redirect [[Article]]</text></revision></page>
            </mediawiki>
            """, to: "old.xml", in: directory)
        let reader = try MediaWikiDumpReader(url: url)
        let documents = try readAll(reader)
        XCTAssertEqual(documents, [SourceDocument(externalID: "2", title: "Article", sections: ["Some article text."], location: "line 4")])
        XCTAssertEqual(reader.skipped, [.namespace: 1, .redirect: 1])
    }

    func testPageWithoutTextIsAnErrorOrSkippedWithKeepGoing() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = try write("""
            <mediawiki>
            <page><title>Broken</title><ns>0</ns><id>1</id></page>
            <page><title>Fine</title><ns>0</ns><id>2</id><revision><text>Fine text here.</text></revision></page>
            </mediawiki>
            """, to: "broken.xml", in: directory)
        let error = ingestError { _ = try readAll(MediaWikiDumpReader(url: url)) }
        XCTAssertEqual(error?.place, "line 2")
        XCTAssertTrue(error?.description.contains("broken.xml") ?? false)
        let reader = try MediaWikiDumpReader(url: url, keepGoing: true)
        XCTAssertEqual(try readAll(reader).map(\.title), ["Fine"])
        XCTAssertEqual(reader.skipped[.malformed], 1)
    }

    /// `<siteinfo><dbname>` names the collection before the first page is read; without siteinfo there is
    /// none, and the first page is still handed out.
    func testTheWikiNamesTheCollection() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let page = "<page><title>Rivers</title><ns>0</ns><id>12</id><revision><text>The river flows.</text></revision></page>"
        let named = try MediaWikiDumpReader(url: try write("""
            <mediawiki><siteinfo><sitename>Example</sitename><dbname>xxwiki</dbname></siteinfo>\(page)</mediawiki>
            """, to: "named.xml", in: directory))
        XCTAssertEqual(named.collection, DocumentCollection(source: "mediawiki:xxwiki", origin: "the dump's <dbname>"))
        XCTAssertEqual(try readAll(named).map(\.externalID), ["12"])
        let anonymous = try MediaWikiDumpReader(url: try write("<mediawiki>\(page)\(page)</mediawiki>", to: "bare.xml", in: directory))
        XCTAssertNil(anonymous.collection)
        XCTAssertEqual(try readAll(anonymous).map(\.title), ["Rivers", "Rivers"])
        let unnamed = try MediaWikiDumpReader(url: try write("<mediawiki><siteinfo><sitename>X</sitename></siteinfo>\(page)</mediawiki>",
                                                              to: "unnamed.xml", in: directory))
        XCTAssertNil(unnamed.collection)
        XCTAssertEqual(try readAll(unnamed).count, 1)
    }

    func testWrongRootIsRejected() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = try write("<doc><docno>1</docno></doc>", to: "trec.xml", in: directory)
        let error = ingestError { _ = try MediaWikiDumpReader(url: url) }
        XCTAssertTrue(error?.message.contains("not a MediaWiki export") ?? false, "\(String(describing: error))")
    }
}
