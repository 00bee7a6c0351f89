/// Residual connection. The backward pass of `a + b` hands `dout` to both inputs, which callers do by
/// accumulating the same gradient twice (`accumulate`).
public enum Residual {
    /// out[n] = a[n] + b[n]  (out may alias a or b)
    public static func forward(
        out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int
    ) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    /// d[n] += dout[n]
    public static func accumulate(_ d: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { d[i] += dout[i] }
    }
}
