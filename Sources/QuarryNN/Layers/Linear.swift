/// Fully connected layer, weights stored as PyTorch does ([out, in]). `precision` is that of the matrix
/// products' inputs; outputs and gradients are fp32 either way.
public enum Linear {
    /// out[N, O] = inp[N, I] · weight[O, I]ᵀ + bias[O]
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, inDim: Int, outDim: Int,
        precision: Precision = .fp32
    ) {
        if let bias {
            for r in 0..<rows { (out + r &* outDim).update(from: bias, count: outDim) }
        }
        MatrixProducts.gemm(precision: precision, transB: true, m: rows, n: outDim, k: inDim, a: inp, b: weight,
                  beta: bias == nil ? 0 : 1, c: out)
    }

    /// Accumulates dinp[N, I] += dout · weight, dweight[O, I] += doutᵀ · inp, dbias[O] += Σ_rows dout.
    /// Any gradient may be nil when the caller does not need it.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows: Int, inDim: Int, outDim: Int, precision: Precision = .fp32
    ) {
        if let dinp {
            MatrixProducts.gemm(precision: precision, m: rows, n: inDim, k: outDim, a: dout, b: weight, beta: 1, c: dinp)
        }
        if let dweight {
            MatrixProducts.gemm(precision: precision, transA: true, m: outDim, n: inDim, k: rows, a: dout, b: inp,
                                beta: 1, c: dweight)
        }
        if let dbias {
            for r in 0..<rows {
                let row = dout + r &* outDim
                for o in 0..<outDim { dbias[o] += row[o] }
            }
        }
    }
}
