/// Multi-head scaled dot-product self-attention with a padding mask.
///
/// Q, K and V are laid out [B, T, C] with head h in columns h·D..<(h+1)·D (C = H·D), exactly as the
/// projections produce them; BLAS strides (`lda = C`) pick a head without copying.
public enum Attention {
    /// out[B, T, C] = softmax(Q Kᵀ / √D + mask) V per head;  probs[B, H, T, T] saved for backward.
    /// mask[B, T]: 1 for a real token, 0 for padding (padded keys get probability 0).
    public static func forward(
        out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, mask: UnsafePointer<Float>,
        batch: Int, length: Int, channels: Int, heads: Int
    ) {
        let t = length, c = channels, d = channels / heads
        let scale = 1 / Float(d).squareRoot()
        if batchedForward(out: out, probs: probs, q: q, k: k, v: v, mask: mask, batch: batch, length: length,
                          channels: channels, heads: heads) { return }
        // Heads are independent small products: run them side by side, each on one BLAS thread.
        Parallel.forEachSmallProduct(batch &* heads) { pair, _ in
            let b = pair / heads, h = pair % heads
            let offset = b &* t &* c &+ h &* d
            let p = probs + pair &* t &* t
            BLAS.gemm(transB: true, m: t, n: t, k: d, alpha: scale, a: q + offset, lda: c,
                      b: k + offset, ldb: c, c: p, ldc: t)
            softmaxRows(p, rows: t, columns: t, keyMask: mask + b &* t)
            BLAS.gemm(m: t, n: d, k: t, a: p, lda: t, b: v + offset, ldb: c, c: out + offset, ldc: c)
        }
    }

    /// `forward` as two batched oneDNN products over every (sequence, head) with the softmax between
    /// them; false when oneDNN does not run fp32 products here.
    private static func batchedForward(
        out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, mask: UnsafePointer<Float>,
        batch: Int, length: Int, channels: Int, heads: Int
    ) -> Bool {
        let t = length, c = channels, d = channels / heads
        // Head h of sequence b starts at b·T·C + h·D in Q, K, V and the output; its probabilities are dense.
        let rows = (t &* c, d), square = (heads &* t &* t, t &* t)
        guard MatrixProducts.batchedGemm(transB: true, batches: (batch, heads), m: t, n: t, k: d,
                                         alpha: 1 / Float(d).squareRoot(), a: q, lda: c, aStrides: rows,
                                         b: k, ldb: c, bStrides: rows, c: probs, ldc: t, cStrides: square)
        else { return false }
        // Parallel only past a few thousand elements per worker: short sequences stay on this thread.
        Parallel.forRanges(batch &* heads, grain: max(1, 4096 / (t &* t))) { start, end in
            for pair in start..<end {
                softmaxRows(probs + pair &* t &* t, rows: t, columns: t, keyMask: mask + (pair / heads) &* t)
            }
        }
        return MatrixProducts.batchedGemm(batches: (batch, heads), m: t, n: d, k: t, a: probs, lda: t, aStrides: square,
                                          b: v, ldb: c, bStrides: rows, c: out, ldc: c, cStrides: rows)
    }

    /// Row-wise softmax restricted to unmasked columns; rows with no unmasked column become all zero.
    @inline(__always)
    static func softmaxRows(_ p: UnsafeMutablePointer<Float>, rows: Int, columns: Int, keyMask: UnsafePointer<Float>) {
        for i in 0..<rows {
            let row = p + i &* columns
            for j in 0..<columns where keyMask[j] == 0 { row[j] = -Float.greatestFiniteMagnitude }
            let m = FastMath.maximum(row, columns)
            for j in 0..<columns { row[j] = FastMath.exp(row[j] - m) * keyMask[j] }
            let total = FastMath.sum(row, columns)
            if total > 0 {
                let inv = 1 / total
                for j in 0..<columns { row[j] *= inv }
            }
        }
    }

    /// Accumulates dq, dk, dv [B, T, C] from dout [B, T, C]. `scratch` holds T·T floats per worker
    /// (`scratchCount`); heads run in parallel and write disjoint columns of the gradients.
    public static func backward(
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, probs: UnsafePointer<Float>,
        batch: Int, length: Int, channels: Int, heads: Int
    ) {
        let t = length, c = channels, d = channels / heads
        let scale = 1 / Float(d).squareRoot()
        Parallel.forEachSmallProduct(batch &* heads) { pair, worker in
            let b = pair / heads, h = pair % heads
            let offset = b &* t &* c &+ h &* d
            let p = probs + pair &* t &* t
            let ds = scratch + worker &* t &* t
            // dP = dO · Vᵀ ;  dV += Pᵀ · dO
            BLAS.gemm(transB: true, m: t, n: t, k: d, a: dout + offset, lda: c, b: v + offset, ldb: c,
                      c: ds, ldc: t)
            BLAS.gemm(transA: true, m: t, n: d, k: t, a: p, lda: t, b: dout + offset, ldb: c,
                      beta: 1, c: dv + offset, ldc: c)
            // Softmax backward: dS = P ⊙ (dP - Σ_j P·dP)
            for i in 0..<t {
                let pr = p + i &* t, dr = ds + i &* t
                let inner = BLAS.dot(t, pr, dr)
                for j in 0..<t { dr[j] = pr[j] * (dr[j] - inner) }
            }
            // S = scale · Q Kᵀ:  dQ += scale · dS · K ;  dK += scale · dSᵀ · Q
            BLAS.gemm(m: t, n: d, k: t, alpha: scale, a: ds, lda: t, b: k + offset, ldb: c,
                      beta: 1, c: dq + offset, ldc: c)
            BLAS.gemm(transA: true, m: t, n: d, k: t, alpha: scale, a: ds, lda: t, b: q + offset, ldb: c,
                      beta: 1, c: dk + offset, ldc: c)
        }
    }

    /// Floats of scratch `backward` needs for sequences of `length`.
    public static func scratchCount(length: Int) -> Int { length * length * max(Parallel.workers, 1) }
}
