import XCTest
import QuarryTestSupport
@testable import QuarryRetrieval

final class SHA256Tests: XCTestCase {
    func testStandardVectors() {
        XCTAssertEqual(SHA256.hex(of: [UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testFileHashMatchesWholeMessageAcrossReadBoundaries() throws {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent("a.bin")
        // One million 'a' is a standard vector.
        try Data(repeating: 0x61, count: 1_000_000).write(to: url)
        XCTAssertEqual(try SHA256.hex(ofFileAt: url), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Longer than one 1 MiB read and not a whole number of blocks.
        let bigger = Data((0..<1_500_003).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bigger.write(to: url)
        XCTAssertEqual(try SHA256.hex(ofFileAt: url), SHA256.hex(of: bigger))
    }
}
