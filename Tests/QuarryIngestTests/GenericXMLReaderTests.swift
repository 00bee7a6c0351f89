import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

final class GenericXMLReaderTests: XCTestCase {
    func testUserNamedElements() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = try write("""
            <corpus><meta>skip me</meta>
            <item key="a"><name>First</name><body>One <em>two</em> three.</body><note>Extra.</note></item>
            <group><item key="b"><name>Second</name><body>Four.</body></item></group>
            <item key="c"><name>Empty</name></item>
            </corpus>
            """, to: "corpus.xml", in: directory)
        let reader = try GenericXMLReader(url: url, documentElement: "item", titleElement: "name",
                                          textElements: ["body", "note"], idElement: "key")
        XCTAssertEqual(try readAll(reader), [
            SourceDocument(externalID: "a", title: "First", sections: ["One two three.", "Extra."], location: "line 2"),
            SourceDocument(externalID: "b", title: "Second", sections: ["Four."], location: "line 3"),
        ])
        XCTAssertEqual(reader.skipped[.empty], 1)
        let all = try readAll(GenericXMLReader(url: url, documentElement: "item", titleElement: "name", textElements: [], idElement: nil))
        XCTAssertEqual(all.first?.sections, ["One two three.Extra."])
        XCTAssertEqual(all.map(\.externalID), ["1", "2", "3"].prefix(all.count).map { $0 })
    }

    func testNoMatchingElements() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = try write("<a><b>text</b></a>", to: "a.xml", in: directory)
        let error = ingestError { _ = try readAll(GenericXMLReader(url: url, documentElement: "doc", titleElement: nil, textElements: [], idElement: nil)) }
        XCTAssertEqual(error?.message, "no <doc> elements found")
    }
}
