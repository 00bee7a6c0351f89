import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

/// Seeded mutation fuzzing of the document readers and the wikitext cleaner, from real files in
/// ../shared/data. Property: every input either reads or throws an `IngestError` naming the file (and a
/// place in it, unless the complaint is about the whole file); nothing crashes or hangs.
final class ReaderFuzzTests: XCTestCase {
    static let xmlDictionary = ["<", ">", "</", "/>", "&", "&amp;", "&lt;", "&#0;", "&#x110000;", "&#65;", "&undefined;",
                                "<![CDATA[", "]]>", "<!--", "-->", "<?xml version=\"1.0\"?>", "<?pi ?>", "<!DOCTYPE x [",
                                "<!ENTITY e \"&e;\">", "<!ENTITY x SYSTEM \"file:///etc/passwd\">", "&x;", "]>",
                                "<page>", "</page>", "<title>", "</title>", "<ns>", "</ns>", "<ns>abc</ns>", "<id>", "</id>",
                                "<redirect title=\"\"/>", "<revision>", "<text>", "</text>", "<text xml:space=\"preserve\">",
                                "<doc>", "</doc>", "<docno>", "</docno>", "<article>", "<body>", "<sec>", "<p>", "</p>",
                                "<front>", "<article-title>", "<abstract>", "xmlns:x=\"u\"", "<x:y>", "=\"", "\"",
                                "\u{FEFF}", "\u{0}", "é", "\u{10FFFF}"]

    static let wikitextDictionary = ["{{", "}}", "[[", "]]", "[", "]", "{|", "|}", "|-", "|", "||", "!", "==", "===",
                                     "\n==Heading==\n", "'''", "''", "<ref>", "</ref>", "<ref name=a/>", "<!--", "-->",
                                     "<nowiki>", "</nowiki>", "<math>", "</math>", "<gallery>", "&nbsp;", "&amp;", "&#x41;",
                                     "&#99999999;", "[[File:a.jpg|thumb|", "[[Category:", "{{cite|", "{{{", "}}}", "*", "#",
                                     ":", ";", "\n", "----", "__TOC__", "<br/>", "<div>", "</div>", "http://x.org ", "ǅ", "\u{0}"]

    private func data(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestResources.sharedData(relative)))
    }

    /// The start of a file up to the end of its `count`-th record, with `closing` appended.
    private func head(_ relative: String, through marker: String, count: Int, closing: String) throws -> [UInt8] {
        let bytes = try data(relative)
        let needle = Array(marker.utf8)
        var found = 0
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], Array(bytes[index..<index + needle.count]) == needle {
                found += 1
                if found == count { return Array(bytes[..<(index + needle.count)]) + Array(closing.utf8) }
            }
            index += 1
        }
        return bytes
    }

    /// nil when `error` is a located `IngestError` about `url`, else what is wrong with it.
    static func locatedIngestError(_ error: Error, _ url: URL) -> String? {
        guard let error = error as? IngestError else { return "not an IngestError: \(type(of: error)) \(error)" }
        guard error.file == url.path else { return "error names \(error.file), not the input: \(error)" }
        guard !error.message.isEmpty else { return "error without a message" }
        let wholeFile = ["empty", "no ", "not a", "unknown", "cannot"].contains { error.message.contains($0) }
        guard !error.place.isEmpty || wholeFile else { return "error without a place: \(error)" }
        return nil
    }

    private func drain(_ reader: DocumentReader) throws {
        var count = 0
        while let document = try reader.next() {
            count += 1
            XCTAssertFalse(document.externalID.isEmpty && document.title.isEmpty && document.sections.isEmpty)
        }
    }

    private func fuzzReader(_ target: String, seeds: [[UInt8]], dictionary: [String] = xmlDictionary,
                            iterations: Int = 300, ext: String = "xml", open: (URL) throws -> DocumentReader) throws {
        let harness = try FuzzHarness(target: target, defaultIterations: iterations)
        harness.run(seeds: seeds, dictionary: dictionary, extension: ext) { _, url in
            do {
                try drain(open(url))
                return nil
            } catch {
                return Self.locatedIngestError(error, url)
            }
        }
    }

    func testMediaWikiReader() throws {
        let seeds = [try head("mediawiki-xml/ltgwiki-smallwiki-latest-pages-articles.xml", through: "</page>", count: 4, closing: "\n</mediawiki>\n"),
                     try data("mediawiki-xml/enwiki-table-markup.xml.bz2")]
        try fuzzReader("mediawiki", seeds: seeds, dictionary: Self.xmlDictionary + Self.wikitextDictionary) {
            try MediaWikiDumpReader(url: $0)
        }
        try fuzzReader("mediawiki-keep-going", seeds: [seeds[0]], iterations: 150) {
            try MediaWikiDumpReader(url: $0, keepGoing: true)
        }
    }

    func testTRECReader() throws {
        let seeds = [try head("trec-xml/cran.all.1400.xml", through: "</doc>", count: 6, closing: "\n"),
                     try head("trec-xml/cran.qry.xml", through: "</top>", count: 6, closing: "\n")]
        try fuzzReader("trec", seeds: seeds, iterations: 120) { try TRECReader(url: $0) }
        try fuzzReader("trec-keep-going", seeds: seeds, iterations: 80) { try TRECReader(url: $0, keepGoing: true) }
    }

    func testJATSReader() throws {
        let seeds = [try data("pubmed-xml/1472-6831-8-11.nxml"), try data("pubmed-xml/pone.0000217.nxml")]
        try fuzzReader("jats", seeds: seeds, iterations: 200, ext: "nxml") { try JATSReader(url: $0) }
    }

    func testGenericXMLReader() throws {
        let seeds = [try data("pubmed-xml/pubmed-29768149.xml")]
        try fuzzReader("generic-xml", seeds: seeds) {
            try GenericXMLReader(url: $0, documentElement: "PubmedArticle", titleElement: "ArticleTitle",
                                 textElements: ["AbstractText"], idElement: "PMID")
        }
    }

    func testTextAndJSONLReaders() throws {
        let text = try head("trec-xml/cranqrel.trec.txt", through: "\n", count: 200, closing: "")
        try fuzzReader("text", seeds: [text], dictionary: Self.wikitextDictionary, ext: "txt") { try TextReader(url: $0) }
        let jsonl = Array("""
            {"id": "a1", "title": "Danube", "text": "The Danube flows through Vienna.\\nIt is long."}
            {"id": "a2", "title": "Rhine \\u00e9", "text": "The Rhine \\"flows\\" north.", "extra": [1, 2, {"x": null}]}
            {"id": 3, "title": "", "text": "numbers as ids"}

            """.utf8)
        let dictionary = ["{", "}", "[", "]", "\"", "\\", "\\u", "\\ud800", "\\u0000", ":", ",", "null", "1e999", "-0",
                          "\"id\":", "\"title\":", "\"text\":", "\n", "\r\n", "\u{0}", "\u{FEFF}"]
        try fuzzReader("jsonl", seeds: [jsonl], dictionary: dictionary, ext: "jsonl") { try JSONLReader(url: $0) }
        try fuzzReader("jsonl-keep-going", seeds: [jsonl], dictionary: dictionary, iterations: 150, ext: "jsonl") {
            try JSONLReader(url: $0, keepGoing: true)
        }
    }

    /// The cleaner takes any bytes; it must return (no trap, no runaway recursion, no hang).
    func testWikitextCleaner() throws {
        // Real wikitext: the <text> bodies of the first pages of a real dump, XML escapes undone.
        let xml = String(decoding: try head("mediawiki-xml/ltgwiki-smallwiki-latest-pages-articles.xml", through: "</page>", count: 40, closing: ""), as: UTF8.self)
        var seeds: [[UInt8]] = []
        var rest = xml[...]
        while let open = rest.range(of: "<text"), let close = rest.range(of: "</text>", range: open.upperBound..<rest.endIndex) {
            let bodyStart = rest[open.upperBound...].firstIndex(of: ">").map { rest.index(after: $0) } ?? open.upperBound
            let body = rest[bodyStart..<close.lowerBound]
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            if body.utf8.count > 200 { seeds.append(Array(body.utf8)) }
            rest = rest[close.upperBound...]
        }
        XCTAssertGreaterThan(seeds.count, 5, "real wikitext pages found in the dump")
        let cleaner = WikitextCleaner()
        let harness = try FuzzHarness(target: "wikitext", defaultIterations: 600)
        harness.run(seeds: seeds, dictionary: Self.wikitextDictionary) { input, _ in
            let sections = cleaner.clean(utf8: input)
            let total = sections.reduce(0) { $0 + $1.text.utf8.count + ($1.heading?.utf8.count ?? 0) }
            // Cleaning removes markup; entities like &nbsp; can grow a little, never by more than a few times.
            return total <= 4 * input.count + 64 ? nil : "output of \(total) bytes from \(input.count) input bytes"
        }
    }
}
