import Foundation

/// One point of an accuracy curve.
public typealias AccuracyPoint = (step: Int, reembedded: Int, accuracy: Double)

/// One run's accuracy curves, read from its `metrics.jsonl`.
public struct AccuracySeries: Sendable {
    public var label: String
    /// Evaluations through the cache negative sampling used (corrected, or the sampling cache itself), in step order.
    public var points: [AccuracyPoint]
    /// Evaluations through the corpus re-embedded at that step (`--fidelity-questions`), in step order.
    public var reembedded: [AccuracyPoint] = []
    /// The evaluation through the served cache after training (the corpus embedded by the trained passage
    /// encoder: what users search), when the run made one. Runs of earlier versions called it `fresh`.
    public var served: AccuracyPoint?

    /// The evaluations of a run folder at top-`k`.
    public static func read(runFolder: URL, k: Int) throws -> AccuracySeries {
        var series = AccuracySeries(label: runFolder.lastPathComponent, points: [])
        for object in try MetricsFile.lines(of: runFolder) where object["kind"] as? String == "eval" {
            guard let step = object["step"] as? Int, let reembedded = object["reembeddedPassages"] as? Int,
                  let table = object["topK"] as? [String: Any], let value = table["\(k)"] as? Double else { continue }
            switch object["index"] as? String {
            case EvaluationRecord.servedIndex, "fresh": series.served = (step, reembedded, value)
            case EvaluationRecord.reembeddedIndex: series.reembedded.append((step, reembedded, value))
            default: series.points.append((step, reembedded, value))
            }
        }
        return series
    }
}

/// Top-k accuracy against training steps and against passages re-embedded (the cost the corrector is meant
/// to save), one colour per run: solid lines through the sampling cache, dashed through the corpus
/// re-embedded at each evaluation, a square for the served cache after training.
public enum AccuracyPlot {
    public static func svg(_ series: [AccuracySeries], k: Int) -> String {
        let axes: [(String, (AccuracyPoint) -> Double)] = [
            ("training steps", { Double($0.step) }),
            ("passages re-embedded", { Double($0.reembedded) }),
        ]
        let panels = axes.map { name, axis in
            LinePlot.Panel(title: "top-\(k) accuracy (%) against \(name)", xLabel: name, lines: series.enumerated().flatMap { s, one in
                [LinePlot.Line(colour: s, points: one.points.map { (axis($0), $0.accuracy) }),
                 LinePlot.Line(colour: s, points: one.reembedded.map { (axis($0), $0.accuracy) }, dashed: true),
                 LinePlot.Line(colour: s, points: one.served.map { [(axis($0), $0.accuracy)] } ?? [], marker: .square, markersOnly: true)]
            })
        }
        let note = "solid: through the cache negative sampling used, not what users search; dashed: the corpus re-embedded "
            + "at that step; squares: served, the corpus embedded by the trained passage encoder"
        return LinePlot(panels: panels, legend: series.enumerated().map { ($0.element.label, $0.offset) }, note: note).svg
    }
}

/// KL divergence from the fresh softmax and top-K recall of each sampling cache against training steps
/// (`--fidelity-questions`), one colour per run: solid for the corrected cache, dashed for the stale one.
public enum FidelityPlot {
    public static func svg(runFolders: [URL]) throws -> String {
        var kl: [LinePlot.Line] = [], recall: [LinePlot.Line] = [], k = 20
        for (s, folder) in runFolders.enumerated() {
            let records = try MetricsFile.lines(of: folder).filter { $0["kind"] as? String == "softmax-fidelity" }
                .compactMap { $0["fidelity"] as? [String: Any] }
            func points(_ key: String, scale: Double = 1) -> [(x: Double, y: Double)] {
                records.compactMap { r in (r["step"] as? Int).flatMap { step in (r[key] as? Double).map { (Double(step), $0 * scale) } } }
            }
            k = records.last?["k"] as? Int ?? k
            kl += [LinePlot.Line(colour: s, points: points("correctedKL")), LinePlot.Line(colour: s, points: points("staleKL"), dashed: true)]
            recall += [LinePlot.Line(colour: s, points: points("correctedRecall", scale: 100)),
                       LinePlot.Line(colour: s, points: points("staleRecall", scale: 100), dashed: true)]
        }
        let klHigh = max(0.1, (kl.flatMap { $0.points.map(\.y) }.max() ?? 1) * 1.1)
        let klPlot = LinePlot(panels: [LinePlot.Panel(title: "KL(fresh ‖ sampling) in nats", xLabel: "training steps", lines: kl)],
                              legend: [], note: nil, yRange: 0...klHigh)
        let recallPlot = LinePlot(panels: [LinePlot.Panel(title: "fresh top-\(k) found in the sampling top-\(k) (%)",
                                                          xLabel: "training steps", lines: recall)],
                                  legend: runFolders.enumerated().map { ($0.element.lastPathComponent, $0.offset) },
                                  note: "solid: corrected cache; dashed: stale cache")
        return stacked(klPlot.svg, recallPlot.svg)
    }

    /// Two SVG documents one above the other in a third.
    private static func stacked(_ first: String, _ second: String) -> String {
        func height(_ svg: String) -> Int {
            guard let range = svg.range(of: #"height="(\d+)""#, options: .regularExpression) else { return 0 }
            return Int(svg[range].dropFirst(8).dropLast()) ?? 0
        }
        func width(_ svg: String) -> Int {
            guard let range = svg.range(of: #"width="(\d+)""#, options: .regularExpression) else { return 0 }
            return Int(svg[range].dropFirst(7).dropLast()) ?? 0
        }
        let h1 = height(first), total = h1 + height(second), w = max(width(first), width(second))
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(total)\">\n"
            + "<g>\(first)</g>\n<g transform=\"translate(0,\(h1))\">\(second)</g>\n</svg>\n"
    }
}

/// A run folder's `metrics.jsonl`, one JSON object per line.
enum MetricsFile {
    static func lines(of runFolder: URL) throws -> [[String: Any]] {
        let url = runFolder.appendingPathComponent("metrics.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TrainingError.io(path: url.path, reason: "cannot read metrics (is this a training run folder?)")
        }
        return try text.split(separator: "\n").enumerated().map { number, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TrainingError.io(path: url.path, reason: "line \(number + 1) is not a JSON object")
            }
            return object
        }
    }
}
