import XCTest
@testable import QuarryText

final class ScalarNormalizationTests: XCTestCase {
    /// The shared table (decompositions from one joined NFD call) equals the scalar-by-scalar computation.
    func testTableAgreesWithPerScalarNormalization() {
        let table = ScalarNormalizationTable.shared
        var decomposing = 0
        for v in UInt32(0)..<0x10000 {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let expected = ScalarNormalization(scalar)
            let entry = table.entries[Int(v)]
            let start = Int(entry & 0xFF_FFFF), count = Int((entry >> 24) & 0x3F)
            XCTAssertEqual(entry >> 30, UInt32(expected.kind.rawValue), "U+\(String(v, radix: 16))")
            XCTAssertEqual(Array(table.outputs[start..<(start + count)]), expected.outputs, "U+\(String(v, radix: 16))")
            if expected.outputs.count > 1 { decomposing += 1 }
        }
        XCTAssertGreaterThan(decomposing, 11_172, "at least every Hangul syllable decomposes")
        // Spot checks of the rules.
        XCTAssertEqual(ScalarNormalization("É").outputs, [0x65])
        XCTAssertEqual(ScalarNormalization("\u{7}").kind, .drop)
        XCTAssertEqual(ScalarNormalization("\u{2028}").kind, .space)
        XCTAssertEqual(ScalarNormalization("東").kind, .ideograph)
        XCTAssertEqual(ScalarNormalization("—").outputs, [0x2014 | ScalarNormalization.punctuationBit])
        XCTAssertEqual(ScalarNormalization("$").outputs, [0x24 | ScalarNormalization.punctuationBit])
    }
}
