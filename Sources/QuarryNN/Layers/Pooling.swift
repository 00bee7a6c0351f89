/// Mean over the unmasked positions of each sequence.
public enum MeanPooling {
    /// out[B, C] = Σ_t mask[b,t]·inp[b,t,:] / max(Σ_t mask[b,t], 1e-9)
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, mask: UnsafePointer<Float>,
        batch: Int, length: Int, channels: Int
    ) {
        for b in 0..<batch {
            let o = out + b &* channels
            o.update(repeating: 0, count: channels)
            var weight: Float = 0
            for t in 0..<length {
                let m = mask[b &* length &+ t]
                if m == 0 { continue }
                weight += m
                BLAS.axpy(channels, alpha: m, x: inp + (b &* length &+ t) &* channels, y: o)
            }
            BLAS.scale(channels, alpha: 1 / max(weight, 1e-9), x: o)
        }
    }

    /// dinp[b,t,:] += mask[b,t] · dout[b,:] / Σ_t mask[b,t]
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, mask: UnsafePointer<Float>,
        batch: Int, length: Int, channels: Int
    ) {
        for b in 0..<batch {
            var weight: Float = 0
            for t in 0..<length { weight += mask[b &* length &+ t] }
            let inv = 1 / max(weight, 1e-9)
            for t in 0..<length {
                let m = mask[b &* length &+ t]
                if m == 0 { continue }
                BLAS.axpy(channels, alpha: m * inv, x: dout + b &* channels, y: dinp + (b &* length &+ t) &* channels)
            }
        }
    }
}

/// Scaling each row to unit Euclidean length (as `torch.nn.functional.normalize`, eps 1e-12).
public enum L2Normalize {
    /// out[N, C] = inp / max(‖inp‖, 1e-12);  norms[N] saved.
    public static func forward(
        out: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>?, inp: UnsafePointer<Float>,
        rows: Int, dim: Int
    ) {
        for n in 0..<rows {
            let x = inp + n &* dim, y = out + n &* dim
            let norm = max(BLAS.dot(dim, x, x).squareRoot(), 1e-12)
            norms?[n] = norm
            let inv = 1 / norm
            for c in 0..<dim { y[c] = x[c] * inv }
        }
    }

    /// dinp[N, C] += (dout - y·(y·dout)) / ‖inp‖, with y the normalised output.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
        norms: UnsafePointer<Float>, rows: Int, dim: Int
    ) {
        for n in 0..<rows {
            let y = out + n &* dim, dy = dout + n &* dim, dx = dinp + n &* dim
            let inner = BLAS.dot(dim, y, dy)
            let inv = 1 / norms[n]
            for c in 0..<dim { dx[c] += (dy[c] - y[c] * inner) * inv }
        }
    }
}
