/// GELU in its exact (erf) form, as BERT's `"gelu"` activation: x · Φ(x).
public enum GELU {
    private static let invSqrt2: Float = 0.707_106_781_186_547_5
    private static let invSqrt2Pi: Float = 0.398_942_280_401_432_7

    /// out[n] = x · ½(1 + erf(x/√2))
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        Parallel.forRanges(count, grain: 16_384) { start, end in
            for i in start..<end {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + FastMath.erf(x * invSqrt2))
            }
        }
    }

    /// dinp[n] += dout[n] · (Φ(x) + x · φ(x))
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int
    ) {
        Parallel.forRanges(count, grain: 16_384) { start, end in
            for i in start..<end {
                let x = inp[i]
                let cdf = 0.5 * (1 + FastMath.erf(x * invSqrt2))
                let pdf = invSqrt2Pi * FastMath.exp(-0.5 * x * x)
                dinp[i] += dout[i] * (cdf + x * pdf)
            }
        }
    }
}
