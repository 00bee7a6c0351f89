import Foundation
import QuarryIngest

/// One self-rewriting progress line on stderr: bytes, pages, passages per second, ETA.
struct ProgressLine {
    private var lastWidth = 0

    mutating func show(_ progress: IngestProgress) {
        var text = "\(URL(fileURLWithPath: progress.file).lastPathComponent): "
            + "\(Format.megabytes(progress.bytesRead))"
        if let total = progress.totalBytes, total > 0 {
            text += " of \(Format.megabytes(total)) (\(Int(100 * Double(progress.bytesRead) / Double(total)))%)"
        }
        text += ", \(progress.pagesRead) pages, \(progress.passages) passages, "
            + "\(Int(progress.passagesPerSecond)) passages/s, \(Format.rate(progress.bytesPerSecond))"
        if let remaining = progress.secondsRemaining { text += ", ETA \(Format.duration(remaining))" }
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
