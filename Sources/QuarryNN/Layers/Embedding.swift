/// Table lookup: one row of the table per id.
public enum Embedding {
    /// out[N, C] = table[ids[n], :]  (ids must be in 0..<V; callers validate ids against the vocabulary).
    public static func forward(
        out: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int32>, table: UnsafePointer<Float>, rows: Int, dim: Int
    ) {
        for n in 0..<rows {
            (out + n &* dim).update(from: table + Int(ids[n]) &* dim, count: dim)
        }
    }

    /// dtable[ids[n], :] += dout[n, :]  (scatter-add: repeated ids accumulate).
    public static func backward(
        dtable: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, ids: UnsafePointer<Int32>, rows: Int, dim: Int
    ) {
        for n in 0..<rows {
            let target = dtable + Int(ids[n]) &* dim
            let source = dout + n &* dim
            for c in 0..<dim { target[c] += source[c] }
        }
    }
}
