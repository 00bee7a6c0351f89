import Foundation
@testable import QuarryTraining
import XCTest

final class RetrieverTrainingConfigurationTests: XCTestCase {
    /// Every setting round-trips: each key of the saved form, changed on its own, is read back changed (a
    /// setting missing from the decoder would come back as its default).
    func testEverySettingIsReadBack() throws {
        let saved = try XCTUnwrap(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(RetrieverTrainingConfiguration())) as? [String: Any])
        XCTAssertGreaterThan(saved.count, 25)
        for (key, value) in saved {
            var changed = saved
            switch value {
            case let text as String: changed[key] = text + "x"
            case let flag as NSNumber where key == "sharedEncoders": changed[key] = NSNumber(value: !flag.boolValue)  // the one switch
            case let number as NSNumber: changed[key] = number.doubleValue + 1
            default: XCTFail("\(key): unexpected \(value)")
            }
            let decoded = try JSONDecoder().decode(RetrieverTrainingConfiguration.self, from: try JSONSerialization.data(withJSONObject: changed))
            let again = try XCTUnwrap(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(decoded)) as? [String: Any])
            if let read = again[key] as? NSNumber, let written = changed[key] as? NSNumber {
                XCTAssertEqual(read.doubleValue, written.doubleValue, accuracy: 1e-5 * abs(written.doubleValue), key)
            } else {
                XCTAssertEqual("\(again[key]!)", "\(changed[key]!)", key)
            }
        }
    }

    /// A configuration saved before a setting existed resumes with that setting's default.
    func testMissingSettingsTakeTheirDefaults() throws {
        var configuration = RetrieverTrainingConfiguration()
        configuration.steps = 77
        var saved = try XCTUnwrap(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(configuration)) as? [String: Any])
        saved["correctCandidates"] = nil
        saved["correctorSamples"] = nil
        let decoded = try JSONDecoder().decode(RetrieverTrainingConfiguration.self, from: try JSONSerialization.data(withJSONObject: saved))
        XCTAssertEqual(decoded, configuration)
    }
}
