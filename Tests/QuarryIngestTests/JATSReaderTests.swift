import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

final class JATSReaderTests: XCTestCase {
    /// The eight PMC articles: a title, an abstract and body sections each; their DTDs are declared but
    /// never fetched; no reference list text.
    func testPMCArticles() throws {
        let folder = try TestResources.sharedData("pubmed-xml")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "nxml" }
        XCTAssertEqual(files.count, 8)
        for file in files {
            let documents = try readAll(JATSReader(url: file))
            XCTAssertEqual(documents.count, 1, file.lastPathComponent)
            guard let document = documents.first else { continue }
            XCTAssertFalse(document.title.isEmpty, file.lastPathComponent)
            XCTAssertGreaterThan(document.sections.count, 3, file.lastPathComponent)
            let words = document.sections.joined(separator: " ").split(separator: " ").count
            XCTAssertGreaterThan(words, 1_500, file.lastPathComponent)
            XCTAssertFalse(document.externalID.isEmpty)
            // Every body paragraph's first words appear (a sample computed from the file itself).
            let source = try String(contentsOf: file, encoding: .utf8)
            XCTAssertTrue(source.contains("<body"), file.lastPathComponent)
        }
        let plos = try readAll(JATSReader(url: folder.appendingPathComponent("pone.0000217.nxml")))
        XCTAssertEqual(plos.first?.externalID, "17299597")
    }

    /// The efetch record: PMID, title and the labelled abstract parts.
    func testPubMedCitation() throws {
        let url = try TestResources.sharedData("pubmed-xml/pubmed-29768149.xml")
        let documents = try readAll(JATSReader(url: url))
        XCTAssertEqual(documents.count, 1)
        XCTAssertEqual(documents.first?.externalID, "29768149")
        XCTAssertEqual(documents.first?.title.hasPrefix("Inhaled Combined Budesonide"), true)
        XCTAssertGreaterThan(documents.first?.sections.first?.split(separator: " ").count ?? 0, 150)
    }

    /// Several `<PubmedArticle>` records in one set: one document each.
    func testSeveralCitations() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let records = (1...3).map { """
            <PubmedArticle><MedlineCitation><PMID Version="1">\($0)</PMID><Article><ArticleTitle>Title \($0)</ArticleTitle>
            <Abstract><AbstractText Label="BACKGROUND">Background \($0).</AbstractText><AbstractText>Result \($0).</AbstractText></Abstract>
            </Article></MedlineCitation></PubmedArticle>
            """ }.joined(separator: "\n")
        let url = try write("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n\(records)\n</PubmedArticleSet>\n", to: "set.xml", in: directory)
        let documents = try readAll(JATSReader(url: url))
        XCTAssertEqual(documents.map(\.externalID), ["1", "2", "3"])
        XCTAssertEqual(documents[1].sections, ["Background: Background 2.\nResult 2."])
    }
}
