/// The large matrix products of the layers (projections, feed-forward, their gradients): oneDNN's matmul,
/// which on AVX-512 CPUs outruns the OpenBLAS build (held to Haswell kernels) in fp32 and runs bf16 inputs
/// natively, with OpenBLAS for tiny products and wherever oneDNN has no implementation for a product.
public enum MatrixProducts {
    public enum Library: String, CaseIterable, Sendable { case openBLAS, oneDNN }

    /// The library for fp32 products. oneDNN by default: it measured 2.6–4.5x OpenBLAS's GFLOP/s on the
    /// encoder's shapes (BENCHMARKS.md, `quarry-bench matmul`). bf16 products always go to oneDNN.
    public static var fp32Library: Library = OneDNNMatmul.shared == nil ? .openBLAS : .oneDNN

    /// Multiply-adds below which a product stays on OpenBLAS (in fp32 whatever the precision): oneDNN's
    /// fixed cost per call (memory objects, waking its threads) then outweighs the work. 32³.
    public static let smallestForOneDNN = 32_768

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, row-major, as `BLAS.gemm`; with `.bf16` the inputs are
    /// rounded to bf16 first, the sum is kept in fp32.
    public static func gemm(
        precision: Precision, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        let useOneDNN = (precision == .bf16 || fp32Library == .oneDNN) && m &* n &* k >= smallestForOneDNN
        if useOneDNN, m > 0, n > 0, k > 0, let dnnl = OneDNNMatmul.shared {
            let shape = OneDNNMatmul.Shape(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb,
                                           ldc: ldc, alpha: alpha, beta: beta, bf16: precision == .bf16)
            if dnnl.run(shape, a: a, b: b, c: c) { return }
        }
        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// C[i,j] = alpha · A[i,j] · op(B[i,j]) + beta · C[i,j] for every (i, j) of `batches`, in one oneDNN
    /// call: each operand is a pointer, a row stride and its element strides along the two batch indices
    /// (attention's heads read in place from [B, T, C] rows). fp32 only; false when oneDNN is not the fp32
    /// library or cannot run it, and the caller then loops over `BLAS.gemm`.
    public static func batchedGemm(
        transB: Bool = false, batches: (Int, Int), m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, aStrides: (Int, Int), b: UnsafePointer<Float>, ldb: Int, bStrides: (Int, Int),
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, cStrides: (Int, Int)
    ) -> Bool {
        guard fp32Library == .oneDNN, m > 0, n > 0, k > 0, batches.0 > 0, batches.1 > 0,
              batches.0 &* batches.1 &* m &* n &* k >= smallestForOneDNN, let dnnl = OneDNNMatmul.shared else { return false }
        let shape = OneDNNMatmul.Shape(
            transA: false, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc, alpha: alpha, beta: beta,
            bf16: false, batches: [batches.0, batches.1], aBatchStrides: [aStrides.0, aStrides.1],
            bBatchStrides: [bStrides.0, bStrides.1], cBatchStrides: [cStrides.0, cStrides.1])
        return dnnl.run(shape, a: a, b: b, c: c)
    }
}
