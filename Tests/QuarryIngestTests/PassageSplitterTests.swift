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

    func testBadSettingsAreRejected() {
        XCTAssertThrowsError(try PassageSplitter(words: 0))
        XCTAssertThrowsError(try PassageSplitter(words: 10, stride: 0))
        XCTAssertThrowsError(try PassageSplitter(words: 10, stride: 11), "a stride past the window would drop words")
    }
}
