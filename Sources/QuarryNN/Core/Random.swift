import Foundation

/// xoshiro256** seeded through splitmix64: small, fast and identical on every platform, so a seed fixes a run.
/// The one generator of the project (initialisation, dropout, shuffling, negative sampling); Codable so a
/// checkpoint can carry its state. Not for cryptography.
public struct Xoshiro256: RandomNumberGenerator, Codable, Equatable, Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Float?

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Standard normal sample (Box–Muller, the second value of each pair kept for the next call).
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal { spareNormal = nil; return spare }
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2 * Foundation.log(u1)).squareRoot()
        spareNormal = Float(r * Foundation.sin(2 * .pi * u2))
        return Float(r * Foundation.cos(2 * .pi * u2))
    }

    /// Fills `count` floats with N(0, std²).
    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, std: Float) {
        for i in 0..<count { p[i] = nextNormal() * std }
    }
}
