import XCTest
@testable import QuarryTraining

final class ReembeddingLedgerTests: XCTestCase {
    func testCountsAreExactPerPurpose() {
        var ledger = ReembeddingLedger()
        ledger.record(.initialCache, passes: 10_000, seconds: 200)
        for _ in 0..<25 { ledger.record(.trainingStep, passes: 72, seconds: 0.5) }
        ledger.record(.refresh, passes: 10_000, seconds: 190)
        ledger.record(.refresh, passes: 10_000, seconds: 195)
        let value = ledger.measure(.probe, passes: 300) { 41 + 1 }
        XCTAssertEqual(value, 42)

        XCTAssertEqual(ledger.entry(.initialCache).passes, 10_000)
        XCTAssertEqual(ledger.entry(.trainingStep).passes, 1_800)
        XCTAssertEqual(ledger.entry(.trainingStep).calls, 25)
        XCTAssertEqual(ledger.entry(.trainingStep).seconds, 12.5, accuracy: 1e-12)
        XCTAssertEqual(ledger.entry(.refresh).passes, 20_000)
        XCTAssertEqual(ledger.entry(.refresh).calls, 2)
        XCTAssertEqual(ledger.entry(.probe).passes, 300)
        XCTAssertEqual(ledger.entry(.evaluation).passes, 0)
        XCTAssertEqual(ledger.reembeddedPasses, 20_000)
        XCTAssertEqual(ledger.totalPasses, 32_100)
        XCTAssertEqual(ledger.totalSeconds, 597.5, accuracy: 0.1)
    }

    func testJSONRoundTripAndMerge() throws {
        var ledger = ReembeddingLedger()
        ledger.record(.trainingStep, passes: 8, seconds: 0.25)
        ledger.record(.evaluation, passes: 100, seconds: 3)
        let decoded = try JSONDecoder().decode(ReembeddingLedger.self, from: try ledger.jsonData())
        XCTAssertEqual(decoded, ledger)

        var resumed = ReembeddingLedger()
        resumed.record(.trainingStep, passes: 16, seconds: 0.5)
        resumed.merge(decoded)
        XCTAssertEqual(resumed.entry(.trainingStep), .init(purpose: .trainingStep, passes: 24, calls: 2, seconds: 0.75))
        XCTAssertEqual(resumed.entry(.evaluation).passes, 100)
    }

    func testDecodingFillsPurposesMissingFromTheFile() throws {
        let json = #"{"entries":[{"purpose":"refresh","passes":5,"calls":1,"seconds":2}]}"#
        let ledger = try JSONDecoder().decode(ReembeddingLedger.self, from: Data(json.utf8))
        XCTAssertEqual(ledger.entries.count, EncoderPassPurpose.allCases.count)
        XCTAssertEqual(ledger.entry(.refresh).passes, 5)
        XCTAssertEqual(ledger.totalPasses, 5)
        XCTAssertThrowsError(try JSONDecoder().decode(ReembeddingLedger.self, from: Data(#"{"entries":[{"purpose":"x","passes":1,"calls":1,"seconds":0}]}"#.utf8)))
    }

    func testTableShowsEveryPurposeAndTheTotal() {
        var ledger = ReembeddingLedger()
        ledger.record(.initialCache, passes: 1_000, seconds: 20)
        ledger.record(.trainingStep, passes: 64, seconds: 2)
        let lines = ledger.table().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2 + EncoderPassPurpose.allCases.count)
        XCTAssertTrue(lines[0].hasPrefix("purpose"))
        XCTAssertEqual(lines[1].split(separator: " ", omittingEmptySubsequences: true).suffix(4),
                       ["1000", "1", "20.0", "50.0"])
        XCTAssertEqual(lines.last!.split(separator: " ", omittingEmptySubsequences: true),
                       ["total", "1064", "2", "22.0", "48.4"])
        for purpose in EncoderPassPurpose.allCases {
            XCTAssertTrue(lines.contains { $0.hasPrefix(purpose.label + " ") }, "\(purpose.label) is shown whole")
        }
    }
}
