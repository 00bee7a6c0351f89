import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

final class WikitextCleanerTests: XCTestCase {
    let cleaner = WikitextCleaner()

    private func plain(_ wikitext: String) -> String {
        cleaner.clean(wikitext).map(\.text).joined(separator: "\n")
    }

    func testLinksKeepTheirText() {
        XCTAssertEqual(plain("See [[Paris|the capital]] and [[Lyon]]s and [[Nice (city)|]]."),
                       "See the capital and Lyons and Nice.")
        XCTAssertEqual(plain("[[:Category:Cities|cities]] [[Category:Cities]][[fr:Paris]]x"), "cities x")
        XCTAssertEqual(plain("A [[File:A.jpg|thumb|A [[caption]] with [[b|links]]]] B"), "A B")
        XCTAssertEqual(plain("[http://example.org a label] and [http://example.org] end"), "a label and end")
    }

    func testTemplatesAndTablesGoAtAnyNesting() {
        XCTAssertEqual(plain("a {{Infobox|x={{b|{{c}}}}|y=[[z]]}} b {{{param}}} c"), "a b c")
        XCTAssertEqual(plain("before\n{| class=x\n|-\n| cell {{t}}\n{|\n|inner\n|}\n|}\nafter"), "before\nafter")
        let depth = 100_000
        let nested = String(repeating: "{{a|", count: depth) + String(repeating: "}}", count: depth)
        XCTAssertEqual(plain("start " + nested + " end"), "start end")
        let unclosed = String(repeating: "{{", count: depth)
        XCTAssertFalse(plain("x " + unclosed + " y").contains("{{"))
    }

    func testTagsCommentsAndEntities() {
        XCTAssertEqual(plain("a<ref name=\"x\">{{cite}}</ref> b<ref name=y/> <!-- hidden --> c"), "a b c")
        XCTAssertEqual(plain("<b>bold</b> <math>x^2</math> <gallery>\nA.jpg\n</gallery>d"), "bold d")
        XCTAssertEqual(plain("x &amp; y&nbsp;z &#8212; &#x41; &unknown;"), "x & y z \u{2014} A &unknown;")
        XCTAssertEqual(plain("'''Bold''' and ''italic'' __TOC__ rock'n'roll"), "Bold and italic rock'n'roll")
    }

    func testPunctuationLeftByRemovedMarkupIsMended() {
        XCTAssertEqual(plain("the Greek {{lang|grc|x}}, i.e. ({{IPA|y}}) word (<ref>z</ref>; a) end ."), "the Greek, i.e. word (a) end.")
    }

    func testHeadingsSplitSectionsAndListsStay() {
        let sections = cleaner.clean("Lead text.\n== History ==\n* first item\n# second item\n;term: def\n=== Sub ===\nmore")
        XCTAssertEqual(sections, [
            WikitextSection(heading: nil, text: "Lead text."),
            WikitextSection(heading: "History", text: "first item\nsecond item\nterm: def"),
            WikitextSection(heading: "Sub", text: "more"),
        ])
    }

    /// Every page of the real wikitext sample: no markup residue, and the plain sentences of each page
    /// (source lines with no markup characters at all) survive verbatim.
    func testRealPagesLeaveNoResidueAndKeepProse() throws {
        let archive = try TestResources.sharedData("wikitext-pages/wtf_wikipedia-tests-cache.tar.gz")
        let pages = try TarArchive.files(at: archive).filter { $0.name.hasSuffix(".txt") }
        XCTAssertEqual(pages.count, 71)
        var checkedSentences = 0
        for page in pages {
            let source = String(decoding: page.contents, as: UTF8.self)
            let text = cleaner.clean(source).map(\.text).joined(separator: "\n")
            WikitextResidue.assertNone(in: text, "\(page.name)")
            for sentence in WikitextResidue.plainSentences(in: source) {
                checkedSentences += 1
                XCTAssertTrue(text.contains(sentence), "\(page.name): lost \"\(sentence)\"")
            }
        }
        XCTAssertGreaterThan(checkedSentences, 100)
    }

    func testCleanerSpeed() throws {
        let archive = try TestResources.sharedData("wikitext-pages/wtf_wikipedia-tests-cache.tar.gz")
        let pages = try TarArchive.files(at: archive).map { String(decoding: $0.contents, as: UTF8.self) }
        let bytes = pages.reduce(0) { $0 + $1.utf8.count }
        let start = Date()
        for _ in 0..<3 { for page in pages { _ = cleaner.clean(page) } }
        let rate = Double(3 * bytes) / Date().timeIntervalSince(start) / 1e6
        print("wikitext cleaner: \(String(format: "%.1f", rate)) MB/s")
    }
}

/// Checks shared by the cleaner and reader tests.
enum WikitextResidue {
    static let markers = ["{{", "}}", "[[", "]]", "<ref", "|-", "'''"]

    static func assertNone(in text: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        for marker in markers {
            if let range = text.range(of: marker) {
                let before = text[..<range.lowerBound].suffix(40)
                let after = text[range.upperBound...].prefix(40)
                let around = before + marker + after
                XCTFail("\(context): residue \(marker) in …\(around)…", file: file, line: line)
            }
        }
    }

    /// Sentences from lines of pure prose in the source: lines outside any template, table, comment or
    /// tag pair, with no wiki or HTML markup characters, split at ". ", kept when six words or longer.
    static func plainSentences(in source: String) -> [String] {
        let markup = Set("{}[]<>|='&*#:;_\\~")
        var depth = 0
        var sentences: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let before = depth
            depth += count("{{", line) + count("{|", line) + count("<!--", line) + count("<ref", line) + count("&lt;ref", line) + count("<gallery", line)
            depth -= count("}}", line) + count("|}", line) + count("-->", line) + count("</ref", line) + count("&lt;/ref", line) + count("/>", line) + count("/&gt;", line) + count("</gallery", line)
            depth = max(depth, 0)
            guard before == 0, depth == 0, !line.contains(where: { markup.contains($0) }),
                  let first = line.first, first.isLetter else { continue }
            sentences += line.components(separatedBy: ". ").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.split(separator: " ").count >= 6 }
                .map { $0.split(separator: " ").joined(separator: " ") }
        }
        return sentences
    }

    private static func count(_ needle: String, _ line: Substring) -> Int {
        line.components(separatedBy: needle).count - 1
    }
}
