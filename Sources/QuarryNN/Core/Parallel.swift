import Dispatch

/// Splits elementwise work over the cores; small jobs stay on the calling thread.
public enum Parallel {
    /// Number of worker chunks used for large jobs (the machine's active processor count).
    public static var workers: Int = max(1, ProcessInfo.activeProcessorCountForParallel)

    /// Calls `body(start, end)` over disjoint ranges covering `0..<count`, in parallel when each range would
    /// still hold at least `grain` items.
    @inline(__always)
    public static func forRanges(_ count: Int, grain: Int = 64, _ body: (Int, Int) -> Void) {
        let chunks = min(workers, count / max(grain, 1))
        if chunks <= 1 { body(0, count); return }
        let step = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let start = c * step
            let end = min(count, start + step)
            if start < end { body(start, end) }
        }
    }
}

import Foundation

extension ProcessInfo {
    fileprivate static var activeProcessorCountForParallel: Int { ProcessInfo.processInfo.activeProcessorCount }
}
