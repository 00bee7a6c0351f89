import Foundation
import XCTest
import QuarryTestSupport
@testable import QuarryText

final class BertTokenizerTests: XCTestCase {
    private func tokenizer() throws -> BertTokenizer {
        try BertTokenizer(modelDirectory: TestResources.miniLM())
    }

    private struct Reference: Decodable {
        struct Row: Decodable { let text: String; let input_ids: [Int] }
        let rows: [Row]
    }

    private func referenceRows() throws -> [Reference.Row] {
        let url = try TestResources.fixture("minilm/reference-embeddings.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url)).rows
    }

    func testIdsMatchReferenceForEveryFixtureString() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.maxLength, 256)
        let rows = try referenceRows()
        XCTAssertEqual(rows.count, 60)
        var mismatches = 0
        for row in rows {
            let ids = tokenizer.encode(row.text)
            if ids != row.input_ids {
                mismatches += 1
                let pieces = ids.map { tokenizer.vocabulary.tokens[$0] }
                let expected = row.input_ids.map { tokenizer.vocabulary.tokens[$0] }
                XCTFail("\(row.text.debugDescription.prefix(80)):\n got \(pieces.prefix(40))\n want \(expected.prefix(40))")
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testOffsetsMapPiecesBackToTheOriginalText() throws {
        let tokenizer = try tokenizer()
        let text = "Ça va? Naïve café — 東京は 😀👍🏽 ﬁnance Zürich"
        let tokens = tokenizer.tokenize(text)
        let surfaces = tokens.offsets.map { String(text.substring(utf8Offsets: $0)) }
        let pieces = tokens.ids.map { tokenizer.vocabulary.tokens[$0] }
        // Each piece's surface is the original text it came from (accents and case kept).
        XCTAssertEqual(surfaces.first, "Ça")
        XCTAssertEqual(pieces.first, "ca")
        XCTAssertTrue(surfaces.contains("?"))
        XCTAssertTrue(surfaces.contains("—"))
        XCTAssertTrue(surfaces.contains("東"))
        XCTAssertTrue(surfaces.contains("京"))
        XCTAssertTrue(surfaces.contains("😀👍🏽"), "emoji run is one word (here [UNK]): \(surfaces)")
        XCTAssertEqual(surfaces.last.map { "Zürich".hasSuffix($0) }, true)
        // Pieces of one word tile it: concatenated surfaces give the word back.
        let zurich = text.range(of: "Zürich")!
        let zurichStart = text.utf8.distance(from: text.startIndex, to: zurich.lowerBound)
        let parts = tokens.offsets.filter { $0.lowerBound >= zurichStart }.map { String(text.substring(utf8Offsets: $0)) }
        XCTAssertEqual(parts.joined(), "Zürich")
        // Offsets never run backwards and stay inside the text.
        for (a, b) in zip(tokens.offsets, tokens.offsets.dropFirst()) { XCTAssertLessThanOrEqual(a.upperBound, b.lowerBound) }
        XCTAssertLessThanOrEqual(tokens.offsets.last!.upperBound, text.utf8.count)
    }

    func testDecomposedAccentsAndDroppedControlsMapToTheirSource() throws {
        let tokenizer = try tokenizer()
        // "e" + combining acute (already decomposed input), and a BEL inside a word: both vanish from the
        // pieces but stay inside the word's source range.
        let text = "cafe\u{301} ab\u{7}c"
        let tokens = tokenizer.tokenize(text)
        let surfaces = tokens.offsets.map { String(text.substring(utf8Offsets: $0)) }
        XCTAssertEqual(tokens.ids.map { tokenizer.vocabulary.tokens[$0] }.first, "cafe")
        XCTAssertEqual(surfaces.first, "cafe", "the combining mark is dropped, its range is not claimed")
        XCTAssertEqual(tokenizer.tokenize("abc").ids, tokenizer.tokenize("ab\u{7}c").ids)
    }

    func testSpecialTokensWrittenInTheTextStandForThemselves() throws {
        let tokenizer = try tokenizer()
        let text = "Paris[SEP]is [MASK]. [cls]"
        let tokens = tokenizer.tokenize(text)
        let pieces = tokens.ids.map { tokenizer.vocabulary.tokens[$0] }
        XCTAssertEqual(Array(pieces.prefix(5)), ["paris", "[SEP]", "is", "[MASK]", "."])
        XCTAssertEqual(pieces.suffix(from: 5).first, "[")
        XCTAssertEqual(pieces.last, "]")
        XCTAssertFalse(pieces.contains("[CLS]"), "matching is case-sensitive")
        XCTAssertEqual(text.substring(utf8Offsets: tokens.offsets[1]), "[SEP]")
    }

    func testLongWordsBecomeUnknown() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.tokenize(String(repeating: "a", count: 101)).ids, [tokenizer.unkID])
        XCTAssertNotEqual(tokenizer.tokenize(String(repeating: "a", count: 100)).ids, [tokenizer.unkID])
    }

    func testPairEncodingWindowsCoverThePassage() throws {
        let tokenizer = try tokenizer()
        let question = "Who wrote the Origin of Species?"
        let passage = (1...120).map { "Darwin\($0) wrote books in Zürich." }.joined(separator: " ")
        let all = tokenizer.tokenize(passage)
        let windows = tokenizer.encodePair(question: question, passage: passage, maxLength: 128, overlap: 32)
        XCTAssertGreaterThan(windows.count, 3)
        let questionIDs = tokenizer.tokenize(question).ids
        var covered = 0
        for (index, window) in windows.enumerated() {
            XCTAssertLessThanOrEqual(window.ids.count, 128)
            XCTAssertEqual(window.ids.count, window.typeIds.count)
            XCTAssertEqual(Array(window.ids[0..<(questionIDs.count + 2)]), [tokenizer.clsID] + questionIDs + [tokenizer.sepID])
            XCTAssertEqual(window.typeIds.filter { $0 == 0 }.count, questionIDs.count + 2)
            XCTAssertEqual(window.ids.last, tokenizer.sepID)
            XCTAssertEqual(Array(window.ids[window.passagePositions]),
                           Array(all.ids[window.windowStart..<(window.windowStart + window.passagePositions.count)]))
            XCTAssertEqual(window.passageOffsets, Array(all.offsets[window.windowStart..<(window.windowStart + window.passagePositions.count)]))
            if index > 0 { XCTAssertEqual(window.windowStart, windows[index - 1].windowStart + 128 - questionIDs.count - 3 - 32) }
            covered = window.windowStart + window.passagePositions.count
        }
        XCTAssertEqual(covered, all.ids.count)
        // A span of passage tokens maps back to the exact passage text.
        let first = windows[1]
        let p = first.passagePositions.lowerBound
        let span = first.text(in: passage, from: p, through: p + 4)
        XCTAssertTrue(passage.contains(span))
        XCTAssertEqual(windows.first!.ids.count, 128)
        XCTAssertEqual(tokenizer.encodePair(question: question, passage: passage, maxLength: 128).count, 1)
    }

    /// Tokenizes every SQuAD-dev paragraph (1.6 M characters) whole, with and without offsets; prints the rate.
    func testThroughputOnRealPassages() throws {
        let tokenizer = try tokenizer()
        let set = try QASetReader().read(TestResources.sharedData("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz"))
        var seen = Set<String>()
        let paragraphs = set.examples.compactMap(\.context).filter { seen.insert($0).inserted }
        XCTAssertEqual(paragraphs.count, 2_067)
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        var plain: [[Int]] = [], withOffsets: [TokenizedText] = []
        let plainTime = clock.measure { plain = paragraphs.map { tokenizer.tokenize($0, offsets: false).ids } }
        let offsetTime = clock.measure { withOffsets = paragraphs.map { tokenizer.tokenize($0) } }
        let tokens = plain.reduce(0) { $0 + $1.count }
        XCTAssertEqual(plain, withOffsets.map(\.ids))
        XCTAssertTrue(withOffsets.allSatisfy { $0.offsets.count == $0.ids.count })
        let characters = paragraphs.reduce(0) { $0 + $1.utf8.count }
        print("BertTokenizer: \(tokens) tokens from \(paragraphs.count) paragraphs (\(characters) bytes): "
              + "\(Int(Double(tokens) / seconds(plainTime))) tokens/s without offsets, "
              + "\(Int(Double(tokens) / seconds(offsetTime))) tokens/s with offsets")
    }
}
