/// Layer normalisation over the last dimension, keeping mean and 1/σ per row for the backward pass.
public enum LayerNorm {
    /// out[N, C] = (inp - mean) · rstd · weight + bias;  mean[N], rstd[N] saved.
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        rows: Int, dim: Int, eps: Float
    ) {
        Parallel.forRanges(rows, grain: 32) { start, end in
            for n in start..<end {
                let x = inp + n &* dim
                let y = out + n &* dim
                let m = FastMath.sum(x, dim) / Float(dim)
                for c in 0..<dim { y[c] = x[c] - m }
                let variance = BLAS.dot(dim, y, y) / Float(dim)
                let s = 1 / (variance + eps).squareRoot()
                for c in 0..<dim { y[c] = y[c] * s * weight[c] + bias[c] }
                mean?[n] = m
                rstd?[n] = s
            }
        }
    }

    /// dinp[N, C] += ∂L/∂inp, dweight[C] += Σ dout·x̂, dbias[C] += Σ dout.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, dim: Int
    ) {
        for n in 0..<rows {
            let x = inp + n &* dim, dy = dout + n &* dim, dx = dinp + n &* dim
            let m = mean[n], s = rstd[n]
            // With x̂ = (x - m)·s and g = dy·w:  dx = s · (g - mean(g) - x̂ · mean(g · x̂)).
            var meanG: Float = 0, meanGX: Float = 0
            for c in 0..<dim {
                let xhat = (x[c] - m) * s
                let g = dy[c] * weight[c]
                meanG += g
                meanGX += g * xhat
                dbias[c] += dy[c]
                dweight[c] += dy[c] * xhat
            }
            meanG /= Float(dim)
            meanGX /= Float(dim)
            for c in 0..<dim {
                let xhat = (x[c] - m) * s
                dx[c] += s * (dy[c] * weight[c] - meanG - xhat * meanGX)
            }
        }
    }
}
