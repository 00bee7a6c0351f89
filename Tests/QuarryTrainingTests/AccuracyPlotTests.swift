import Foundation
import QuarryTestSupport
@testable import QuarryTraining
import XCTest

final class AccuracyPlotTests: XCTestCase {
    /// Series are read from `metrics.jsonl` (evaluations only, fresh ones left out) and drawn as one
    /// polyline per run in each panel.
    func testReadsRunsAndDrawsBothPanels() throws {
        let root = try TestResources.temporaryDirectory(for: self)
        var series: [AccuracySeries] = []
        for (name, slope) in [("corrected", 2.0), ("refresh-50", 3.0)] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var lines: [String] = []
            for step in stride(from: 0, through: 100, by: 50) {
                let accuracy = 40 + slope * Double(step) / 10
                lines.append("{\"kind\":\"step\",\"step\":\(step)}")
                lines.append("{\"kind\":\"eval\",\"index\":\"cache\",\"step\":\(step),\"reembeddedPassages\":\(step * 10),\"topK\":{\"20\":\(accuracy)}}")
            }
            lines.append("{\"kind\":\"eval\",\"index\":\"fresh\",\"step\":100,\"reembeddedPassages\":1000,\"topK\":{\"20\":99.0}}")
            try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
            series.append(try AccuracySeries.read(runFolder: folder, k: 20))
        }
        XCTAssertEqual(series[0].points.map(\.step), [0, 50, 100])
        XCTAssertEqual(series[1].points.map(\.accuracy), [40, 55, 70])
        let svg = AccuracyPlot.svg(series, k: 20)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 4, "two runs in two panels")
        XCTAssertTrue(svg.contains("refresh-50"))
        XCTAssertTrue(svg.contains("passages re-embedded"))
        XCTAssertThrowsError(try AccuracySeries.read(runFolder: root.appendingPathComponent("missing"), k: 20))
    }
}
