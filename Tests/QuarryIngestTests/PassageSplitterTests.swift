@testable import QuarryIngest
import XCTest

final class PassageSplitterTests: XCTestCase {
    private func words(_ count: Int) -> [String] { (0..<count).map { "w\($0)" } }

    func testDefaultsAreHundredWordsWithoutOverlap() throws {
        let splitter = try PassageSplitter()
        XCTAssertEqual(splitter.words, 100)
        XCTAssertEqual(splitter.stride, 100)
        let passages = splitter.passages(of: [words(250).joined(separator: " ")])
        XCTAssertEqual(passages.map { $0.split(separator: " ").count }, [100, 100, 50], "short last window kept")
    }

    func testInvariantsOverManyLengthsAndStrides() throws {
        for size in [1, 2, 3, 7, 10] {
            for stride in 1...size {
                let splitter = try PassageSplitter(words: size, stride: stride)
                for count in 0...25 {
                    let all = words(count)
                    let passages = splitter.passages(of: [all.joined(separator: " ")]).map { $0.split(separator: " ").map(String.init) }
                    let context = "size \(size) stride \(stride) words \(count)"
                    if count == 0 { XCTAssertEqual(passages.count, 0, context); continue }
                    XCTAssertTrue(passages.allSatisfy { !$0.isEmpty && $0.count <= size }, context)
                    for (index, passage) in passages.enumerated() {
                        XCTAssertEqual(passage, Array(all[(index * stride)..<min(index * stride + size, count)]), context)
                    }
                    XCTAssertEqual(passages.last?.last, all.last, "the last window reaches the end: \(context)")
                    let expected = count <= size ? 1 : (count - size + stride - 1) / stride + 1
                    XCTAssertEqual(passages.count, expected, context)
                    if stride == size { XCTAssertEqual(passages.flatMap { $0 }, all, "no overlap, nothing lost: \(context)") }
                }
            }
        }
    }

    func testSectionsFormOneRunOfWordsAndWhitespaceIsNormalised() throws {
        let splitter = try PassageSplitter(words: 3)
        XCTAssertEqual(splitter.passages(of: ["a  b\n", "\tc d", "", "e"]), ["a b c", "d e"])
        XCTAssertEqual(splitter.passages(of: ["   ", "\n"]), [])
    }

    func testWordsAreCutAtEveryUnicodeWhitespaceAndNowhereElse() throws {
        // Every White_Space scalar, and look-alikes that are not (zero-width space, word joiner, NBSP's
        // neighbours in UTF-8), between words with multi-byte letters.
        let separators = "\u{9}\u{A}\u{B}\u{C}\u{D}\u{20}\u{85}\u{A0}\u{1680}\u{2000}\u{2005}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}"
        let joiners = ["\u{200B}", "\u{2060}", "\u{A1}", "\u{84}", "\u{1681}", "\u{200C}", "\u{3001}", "\u{2030}"]
        var text = ""
        for (index, separator) in separators.unicodeScalars.enumerated() {
            text += "é\(index)\(joiners[index % joiners.count])日" + String(separator)
        }
        let expected = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        XCTAssertEqual(try PassageSplitter(words: 1000).passages(of: [text]), [expected])
        XCTAssertEqual(expected.split(separator: " ").count, separators.unicodeScalars.count)
    }

    func testBadSettingsAreRejected() {
        XCTAssertThrowsError(try PassageSplitter(words: 0))
        XCTAssertThrowsError(try PassageSplitter(words: 10, stride: 0))
        XCTAssertThrowsError(try PassageSplitter(words: 10, stride: 11), "a stride past the window would drop words")
    }
}
