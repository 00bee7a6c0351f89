/// Branch-free `exp` and `erf` for the hot elementwise loops (softmax, GELU).
///
/// The libm versions are opaque calls, so a loop over them cannot vectorise; these are plain arithmetic that
/// the compiler turns into SIMD code. Accuracy (~2e-7 relative for `exp`, ~1.5e-7 absolute for `erf`) is far
/// below what the float32 reference itself differs by.
public enum FastMath {
    /// e^x, flushed to 0 below -87 and saturated above 88.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let x = min(max(x, -87.0), 88.0)
        // x = n·ln2 + r with |r| ≤ ln2/2; n rounded to nearest with the 1.5·2^23 trick (no libm call).
        let shifter: Float = 12_582_912.0
        let n = (x * 1.442_695_04 + shifter) - shifter
        let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6
        // Taylor polynomial of degree 7 on |r| ≤ 0.35: truncation error below 1e-8 relative.
        var p: Float = 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        let bits = UInt32(bitPattern: Int32(n) &+ 127) &<< 23
        return p * Float(bitPattern: bits)
    }

    /// The error function, Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7).
    @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let a = abs(x)
        let t = 1.0 / (1.0 + 0.327_591_1 * a)
        var p: Float = 1.061_405_429
        p = p * t - 1.453_152_027
        p = p * t + 1.421_413_741
        p = p * t - 0.284_496_736
        p = p * t + 0.254_829_592
        p = p * t
        let y = 1.0 - p * exp(-a * a)
        return x < 0 ? -y : y
    }

    /// Σ x[i] with several independent accumulators (a single running sum cannot vectorise).
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i &+ 8 <= n {
            s0 += x[i]; s1 += x[i &+ 1]; s2 += x[i &+ 2]; s3 += x[i &+ 3]
            s4 += x[i &+ 4]; s5 += x[i &+ 5]; s6 += x[i &+ 6]; s7 += x[i &+ 7]
            i &+= 8
        }
        while i < n { s0 += x[i]; i &+= 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// max x[i] for n ≥ 1.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m0 = -Float.infinity, m1 = -Float.infinity, m2 = -Float.infinity, m3 = -Float.infinity
        var i = 0
        while i &+ 4 <= n {
            m0 = max(m0, x[i]); m1 = max(m1, x[i &+ 1]); m2 = max(m2, x[i &+ 2]); m3 = max(m3, x[i &+ 3])
            i &+= 4
        }
        while i < n { m0 = max(m0, x[i]); i &+= 1 }
        return max(max(m0, m1), max(m2, m3))
    }
}
