import Foundation

/// One run's accuracy curve, read from its `metrics.jsonl`.
public struct AccuracySeries: Sendable {
    public var label: String
    /// (steps, passages re-embedded so far, top-k accuracy in percent), in step order: evaluations through
    /// the cache negative sampling used (corrected, or the sampling cache itself).
    public var points: [(step: Int, reembedded: Int, accuracy: Double)]
    /// The evaluation through the served cache after training (the corpus embedded by the trained passage
    /// encoder: what users search), when the run made one. Runs of earlier versions called it `fresh`.
    public var served: (step: Int, reembedded: Int, accuracy: Double)?

    /// The evaluations of a run folder at top-`k`.
    public static func read(runFolder: URL, k: Int) throws -> AccuracySeries {
        let url = runFolder.appendingPathComponent("metrics.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TrainingError.io(path: url.path, reason: "cannot read metrics (is this a training run folder?)")
        }
        var series = AccuracySeries(label: runFolder.lastPathComponent, points: [])
        for (number, line) in text.split(separator: "\n").enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TrainingError.io(path: url.path, reason: "line \(number + 1) is not a JSON object")
            }
            guard object["kind"] as? String == "eval",
                  let step = object["step"] as? Int, let reembedded = object["reembeddedPassages"] as? Int,
                  let table = object["topK"] as? [String: Any], let value = table["\(k)"] as? Double else { continue }
            let index = object["index"] as? String
            if index == EvaluationRecord.servedIndex || index == "fresh" {
                series.served = (step, reembedded, value)
            } else {
                series.points.append((step, reembedded, value))
            }
        }
        return series
    }
}

/// A hand-written SVG with two panels: top-k accuracy against training steps, and against passages
/// re-embedded (the cost the corrector is meant to save). No plotting library.
public enum AccuracyPlot {
    static let palette = ["#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6a4c93", "#00798c", "#8d6a9f", "#444444"]

    public static func svg(_ series: [AccuracySeries], k: Int) -> String {
        let panelWidth = 420.0, panelHeight = 300.0, margin = 56.0, legendHeight = 22.0 * Double(series.count + 1) + 10
        let width = 2 * (panelWidth + margin) + margin, height = panelHeight + 2 * margin + legendHeight
        let accuracies = series.flatMap { $0.points.map(\.accuracy) + ($0.served.map { [$0.accuracy] } ?? []) }
        let yLow = max(0, ((accuracies.min() ?? 0) / 10).rounded(.down) * 10)
        let yHigh = min(100, max(yLow + 10, ((accuracies.max() ?? 100) / 10).rounded(.up) * 10))
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        let panels: [(String, (Int, Int) -> Double)] = [
            ("training steps", { step, _ in Double(step) }),
            ("passages re-embedded", { _, reembedded in Double(reembedded) }),
        ]
        for (p, panel) in panels.enumerated() {
            let left = margin + Double(p) * (panelWidth + margin), top = margin
            let xs = series.flatMap { one in
                (one.points + (one.served.map { [$0] } ?? [])).map { panel.1($0.step, $0.reembedded) }
            }
            let xHigh = max(1, xs.max() ?? 1)
            func x(_ v: Double) -> Double { left + v / xHigh * panelWidth }
            func y(_ v: Double) -> Double { top + (1 - (v - yLow) / (yHigh - yLow)) * panelHeight }
            out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(panelWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
            for i in 0...4 {
                let v = yLow + Double(i) / 4 * (yHigh - yLow)
                out += "<line x1=\"\(f(left))\" x2=\"\(f(left + panelWidth))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>"
                out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(f(v))</text>\n"
                let u = Double(i) / 4 * xHigh
                out += "<text x=\"\(f(x(u)))\" y=\"\(f(top + panelHeight + 16))\" text-anchor=\"middle\">\(label(u))</text>\n"
            }
            out += "<text x=\"\(f(left + panelWidth / 2))\" y=\"\(f(top + panelHeight + 36))\" text-anchor=\"middle\">\(panel.0)</text>\n"
            out += "<text x=\"\(f(left + panelWidth / 2))\" y=\"\(f(top - 14))\" text-anchor=\"middle\" font-weight=\"bold\">top-\(k) accuracy (%) against \(panel.0)</text>\n"
            for (s, one) in series.enumerated() where !one.points.isEmpty {
                let colour = palette[s % palette.count]
                let path = one.points.map { "\(f(x(panel.1($0.step, $0.reembedded)))),\(f(y($0.accuracy)))" }.joined(separator: " ")
                out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
                for point in one.points {
                    out += "<circle cx=\"\(f(x(panel.1(point.step, point.reembedded))))\" cy=\"\(f(y(point.accuracy)))\" r=\"3\" fill=\"\(colour)\"/>"
                }
                if let served = one.served {
                    let cx = x(panel.1(served.step, served.reembedded)), cy = y(served.accuracy)
                    out += "<rect x=\"\(f(cx - 5))\" y=\"\(f(cy - 5))\" width=\"10\" height=\"10\" fill=\"white\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
                }
                out += "\n"
            }
        }
        for (s, one) in series.enumerated() {
            let ly = margin + panelHeight + 56 + 22 * Double(s)
            out += "<rect x=\"\(f(margin))\" y=\"\(f(ly - 10))\" width=\"14\" height=\"4\" fill=\"\(palette[s % palette.count])\"/>"
            out += "<text x=\"\(f(margin + 20))\" y=\"\(f(ly - 4))\">\(escape(one.label))</text>\n"
        }
        // The two kinds of figure differ by several points; the legend says which is which.
        let ly = margin + panelHeight + 56 + 22 * Double(series.count)
        out += "<text x=\"\(f(margin))\" y=\"\(f(ly - 4))\" fill=\"#444\">lines: through the cache negative sampling used "
            + "(corrected or stale), not what users search; squares: served, the corpus embedded by the trained passage encoder</text>\n"
        return out + "</svg>\n"
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private static func label(_ v: Double) -> String {
        v >= 10_000 ? String(format: "%.0fk", v / 1000) : String(format: "%.0f", v)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
