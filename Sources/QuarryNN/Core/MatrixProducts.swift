/// The large matrix products of the layers (projections, feed-forward, their gradients): oneDNN's matmul,
/// which on AVX-512 CPUs outruns the OpenBLAS build (held to Haswell kernels) in fp32 and runs bf16 inputs
/// natively, with OpenBLAS wherever oneDNN has no implementation for a product.
public enum MatrixProducts {
    public enum Library: String, CaseIterable, Sendable { case openBLAS, oneDNN }

    /// The library for fp32 products. oneDNN by default: it measured about twice OpenBLAS's GFLOP/s on the
    /// encoder's shapes (BENCHMARKS.md, `quarry-bench matmul`). bf16 products always go to oneDNN.
    public static var fp32Library: Library = OneDNNMatmul.shared == nil ? .openBLAS : .oneDNN

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major, as `BLAS.gemm`; with `.bf16` the inputs are
    /// rounded to bf16 first, the sum is kept in fp32.
    public static func gemm(
        precision: Precision, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        let useOneDNN = precision == .bf16 || fp32Library == .oneDNN
        if useOneDNN, m > 0, n > 0, k > 0, let dnnl = OneDNNMatmul.shared {
            let shape = OneDNNMatmul.Shape(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb,
                                           ldc: ldc, alpha: alpha, beta: beta, bf16: precision == .bf16)
            if dnnl.run(shape, a: a, b: b, c: c) { return }
        }
        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}
