/// Linear warm-up from 0 to `peak` over `warmupSteps`, then linear decay to 0 at `totalSteps`.
public struct LinearWarmupDecay: Sendable {
    public let peak: Float
    public let warmupSteps: Int
    public let totalSteps: Int

    public init(peak: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(totalSteps, self.warmupSteps)
    }

    /// The rate for 0-based `step` (the first update uses step 0, so warm-up starts above zero).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let remaining = totalSteps - warmupSteps
        if remaining <= 0 { return peak }
        let progress = Float(step - warmupSteps) / Float(remaining)
        return peak * max(0, 1 - progress)
    }
}
