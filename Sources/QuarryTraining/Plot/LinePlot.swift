import Foundation

/// A hand-written SVG of side-by-side panels of lines, the drawing under `quarry train plot`. No plotting library.
public struct LinePlot {
    public enum Marker: Sendable { case circle, square }

    public struct Line {
        public var colour: Int
        public var points: [(x: Double, y: Double)]
        public var dashed = false
        public var marker = Marker.circle
        /// Drawn as markers only, without joining them.
        public var markersOnly = false
    }

    public struct Panel {
        public var title: String
        public var xLabel: String
        public var lines: [Line]
    }

    public var panels: [Panel]
    /// (label, colour) per run, under the panels.
    public var legend: [(label: String, colour: Int)]
    /// A last line under the legend saying how to read the lines.
    public var note: String?
    /// Fixed y range, or nil to fit the data (rounded to tens, for percentages).
    public var yRange: ClosedRange<Double>?

    static let palette = ["#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6a4c93", "#00798c", "#8d6a9f", "#444444"]
    static let panelWidth = 420.0, panelHeight = 300.0, margin = 56.0

    public var svg: String {
        let rows = legend.count + (note == nil ? 0 : 1)
        let width = Double(panels.count) * (Self.panelWidth + Self.margin) + Self.margin
        let height = Self.panelHeight + 2 * Self.margin + 22 * Double(rows) + 10
        let (yLow, yHigh) = yBounds
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (p, panel) in panels.enumerated() {
            out += draw(panel, left: Self.margin + Double(p) * (Self.panelWidth + Self.margin), yLow: yLow, yHigh: yHigh)
        }
        for (s, entry) in legend.enumerated() {
            let ly = Self.margin + Self.panelHeight + 56 + 22 * Double(s)
            out += "<rect x=\"\(f(Self.margin))\" y=\"\(f(ly - 10))\" width=\"14\" height=\"4\" fill=\"\(Self.colour(entry.colour))\"/>"
            out += "<text x=\"\(f(Self.margin + 20))\" y=\"\(f(ly - 4))\">\(escape(entry.label))</text>\n"
        }
        if let note {
            let ly = Self.margin + Self.panelHeight + 56 + 22 * Double(legend.count)
            out += "<text x=\"\(f(Self.margin))\" y=\"\(f(ly - 4))\" fill=\"#444\">\(escape(note))</text>\n"
        }
        return out + "</svg>\n"
    }

    private var yBounds: (Double, Double) {
        if let yRange { return (yRange.lowerBound, yRange.upperBound) }
        let ys = panels.flatMap { $0.lines.flatMap { $0.points.map(\.y) } }
        let low = max(0, ((ys.min() ?? 0) / 10).rounded(.down) * 10)
        return (low, min(100, max(low + 10, ((ys.max() ?? 100) / 10).rounded(.up) * 10)))
    }

    private func draw(_ panel: Panel, left: Double, yLow: Double, yHigh: Double) -> String {
        let top = Self.margin, w = Self.panelWidth, h = Self.panelHeight
        let xHigh = max(1e-9, panel.lines.flatMap { $0.points.map(\.x) }.max() ?? 1)
        func x(_ v: Double) -> Double { left + v / xHigh * w }
        func y(_ v: Double) -> Double { top + (1 - (v - yLow) / max(yHigh - yLow, 1e-9)) * h }
        var out = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"none\" stroke=\"#999\"/>\n"
        for i in 0...4 {
            let v = yLow + Double(i) / 4 * (yHigh - yLow)
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + w))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(tick(v))</text>\n"
            let u = Double(i) / 4 * xHigh
            out += "<text x=\"\(f(x(u)))\" y=\"\(f(top + h + 16))\" text-anchor=\"middle\">\(tick(u))</text>\n"
        }
        out += "<text x=\"\(f(left + w / 2))\" y=\"\(f(top + h + 36))\" text-anchor=\"middle\">\(escape(panel.xLabel))</text>\n"
        out += "<text x=\"\(f(left + w / 2))\" y=\"\(f(top - 14))\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        for line in panel.lines where !line.points.isEmpty {
            let colour = Self.colour(line.colour)
            if !line.markersOnly {
                let path = line.points.map { "\(f(x($0.x))),\(f(y($0.y)))" }.joined(separator: " ")
                out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\""
                    + (line.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n"
            }
            for point in line.points {
                switch line.marker {
                case .circle:
                    out += "<circle cx=\"\(f(x(point.x)))\" cy=\"\(f(y(point.y)))\" r=\"3\" fill=\"\(colour)\"/>"
                case .square:
                    out += "<rect x=\"\(f(x(point.x) - 5))\" y=\"\(f(y(point.y) - 5))\" width=\"10\" height=\"10\" fill=\"white\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
                }
            }
            out += "\n"
        }
        return out
    }

    static func colour(_ index: Int) -> String { palette[index % palette.count] }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func tick(_ v: Double) -> String {
        if v >= 10_000 { return String(format: "%.0fk", v / 1000) }
        return v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.2f", v)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
