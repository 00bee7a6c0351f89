/// Inverted dropout. Off unless a caller asks for it: the encoder's training pass does not use it by default
/// (fine-tuning a pretrained retriever here works without, and it keeps runs deterministic and checkable).
public enum Dropout {
    /// out[n] = inp[n] · keep[n] / (1 - rate), keep[n] ∈ {0, 1} drawn from `rng` and saved for backward.
    public static func forward(
        out: UnsafeMutablePointer<Float>, keep: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        count: Int, rate: Float, rng: inout Xoshiro256
    ) {
        precondition(rate >= 0 && rate < 1, "dropout rate \(rate) outside [0, 1)")
        let scale = 1 / (1 - rate)
        for i in 0..<count {
            keep[i] = rng.nextFloat() < rate ? 0 : scale
            out[i] = inp[i] * keep[i]
        }
    }

    /// dinp[n] += dout[n] · keep[n] / (1 - rate)  (the scale is folded into `keep`).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, keep: UnsafePointer<Float>, count: Int
    ) {
        for i in 0..<count { dinp[i] += dout[i] * keep[i] }
    }
}
