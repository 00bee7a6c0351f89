import Foundation
import QuarryIngest
import QuarryRetrieval

/// One self-rewriting progress line on stderr (ingest, embed, train reader): each `show` replaces the
/// last text, padding over what a longer one left.
struct ProgressLine {
    private var lastWidth = 0

    mutating func show(_ text: String) {
        let padding = String(repeating: " ", count: max(0, lastWidth - text.count))
        lastWidth = text.count
        StandardError.write("\r" + text + padding)
    }

    /// Ends the line so that later output starts on a fresh one.
    mutating func finish() {
        if lastWidth > 0 { StandardError.write("\n") }
        lastWidth = 0
    }
}

extension IngestProgress {
    /// Bytes, pages, passages per second, ETA.
    var progressText: String {
        var text = "\(URL(fileURLWithPath: file).lastPathComponent): \(Format.megabytes(bytesRead))"
        if let totalBytes, totalBytes > 0 {
            text += " of \(Format.megabytes(totalBytes)) (\(Int(100 * Double(bytesRead) / Double(totalBytes)))%)"
        }
        text += ", \(pagesRead) pages, \(passages) passages, \(Int(passagesPerSecond)) passages/s, \(Format.rate(bytesPerSecond))"
        if let secondsRemaining { text += ", ETA \(Format.duration(secondsRemaining))" }
        return text
    }
}

extension EmbeddingProgress {
    /// A bar, passages done, passages/s and ETA.
    func progressText(cache: String) -> String {
        let fraction = rowsTotal > 0 ? min(1, Double(rowsDone) / Double(rowsTotal)) : 1
        let filled = Int((fraction * 24).rounded(.down))
        var text = "\(cache) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 24 - filled))] "
            + "\(rowsDone)/\(rowsTotal) passages (\(Int(fraction * 100))%), " + String(format: "%.1f passages/s", passagesPerSecond)
        if let secondsRemaining { text += ", ETA \(Format.duration(secondsRemaining))" }
        return text
    }
}

enum Format {
    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    static func rate(_ bytesPerSecond: Double) -> String {
        String(format: "%.1f MB/s", bytesPerSecond / 1_048_576)
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%dh%02dm", whole / 3600, whole / 60 % 60)
                             : String(format: "%dm%02ds", whole / 60, whole % 60)
    }
}
