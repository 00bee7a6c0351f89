import Dispatch
import Foundation

/// Splits elementwise work and independent small products over the cores; small jobs stay on the calling thread.
public enum Parallel {
    /// Number of workers for large jobs; the active processor count unless set (benchmarks set it).
    public static var workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

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

    /// Calls `body(i, worker)` for i in 0..<count, spread over at most `workers` workers (0 ≤ worker < workers),
    /// with OpenBLAS held to one thread meanwhile: for many independent small matrix products (attention
    /// heads), which BLAS would not split well by itself. Another thread's BLAS calls in that window also get
    /// one thread.
    public static func forEachSmallProduct(_ count: Int, _ body: (_ index: Int, _ worker: Int) -> Void) {
        let chunks = min(workers, count)
        if chunks <= 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        let blasThreads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = blasThreads }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            var i = c
            while i < count { body(i, c); i += chunks }
        }
    }
}
