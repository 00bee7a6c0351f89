@testable import QuarryIngest
import XCTest

final class ContentHashTests: XCTestCase {
    func testHashFollowsEveryPartOfTheContent() throws {
        let splitter = try PassageSplitter()
        let base = ContentHash.of(title: "T", sections: ["ab", "c"], splitter: splitter)
        XCTAssertEqual(base.count, 32)
        XCTAssertEqual(base, ContentHash.of(title: "T", sections: ["ab", "c"], splitter: splitter))
        XCTAssertNotEqual(base, ContentHash.of(title: "U", sections: ["ab", "c"], splitter: splitter))
        XCTAssertNotEqual(base, ContentHash.of(title: "T", sections: ["a", "bc"], splitter: splitter))
        XCTAssertNotEqual(base, ContentHash.of(title: "T", sections: ["ab", "c", ""], splitter: splitter))
        XCTAssertNotEqual(base, ContentHash.of(title: "Tab", sections: ["c"], splitter: splitter))
        XCTAssertNotEqual(base, ContentHash.of(title: "T", sections: ["ab", "c"], splitter: try PassageSplitter(words: 50)))
    }

    func testKnownDigestOfTheEmptyInput() {
        // FNV-1a 128 of no bytes is its offset basis.
        XCTAssertEqual(ContentHash().hex, "6c62272e07bb014262b821756295c58d")
        var hash = ContentHash()
        hash.add("a")
        // FNV-1a 128 over the 8-byte little-endian length 1 followed by "a", computed independently.
        XCTAssertEqual(hash.hex, Self.reference(Array([1, 0, 0, 0, 0, 0, 0, 0] + "a".utf8)))
    }

    /// A straightforward FNV-1a 128 with arbitrary-precision arithmetic on four 32-bit limbs.
    static func reference(_ bytes: [UInt8]) -> String {
        var limbs: [UInt64] = [0x6295_c58d, 0x62b8_2175, 0x07bb_0142, 0x6c62_272e]  // little-endian 32-bit limbs
        let prime: [UInt64] = [0x13b, 0, 0x100_0000, 0]  // 2^88 + 0x13b
        for byte in bytes {
            limbs[0] ^= UInt64(byte)
            var product = [UInt64](repeating: 0, count: 4)
            for i in 0..<4 {
                var carry: UInt64 = 0
                for j in 0..<(4 - i) {
                    let value = product[i + j] + limbs[i] * prime[j] + carry
                    product[i + j] = value & 0xFFFF_FFFF
                    carry = value >> 32
                }
            }
            limbs = product
        }
        return limbs.reversed().map { String(format: "%08x", $0) }.joined()
    }
}
