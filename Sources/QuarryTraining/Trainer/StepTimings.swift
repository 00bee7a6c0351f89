import Dispatch

/// Wall time of one training step by phase, in seconds. `scoring + sampling + corrector` is the overhead
/// the corrected strategy adds to plain in-batch training; `refresh` is what it avoids.
public struct StepTimings: Codable, Equatable, Sendable {
    public var refresh = 0.0
    public var queryForward = 0.0
    public var scoring = 0.0
    public var sampling = 0.0
    public var passageForward = 0.0
    public var loss = 0.0
    public var backward = 0.0
    public var optimizer = 0.0
    public var corrector = 0.0
    public var total = 0.0

    public init() {}

    /// Share of the step spent scoring the cache, sampling and running the corrector.
    public var samplingShare: Double { total > 0 ? (scoring + sampling + corrector) / total : 0 }

    /// Phase-by-phase sum.
    public mutating func add(_ other: StepTimings) {
        refresh += other.refresh; queryForward += other.queryForward; scoring += other.scoring
        sampling += other.sampling; passageForward += other.passageForward; loss += other.loss
        backward += other.backward; optimizer += other.optimizer; corrector += other.corrector; total += other.total
    }
}

/// Runs `body`, adding its wall time in seconds to `seconds`.
@inline(__always)
func timed<T>(_ seconds: inout Double, _ body: () throws -> T) rethrows -> T {
    let start = DispatchTime.now().uptimeNanoseconds
    defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    return try body()
}
