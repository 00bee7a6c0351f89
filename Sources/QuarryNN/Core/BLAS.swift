import COpenBLAS

/// Thin row-major wrappers over OpenBLAS, so layer code reads like the maths.
public enum BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major; `transA`/`transB` transpose the stored matrix.
    /// Leading dimensions default to the packed row lengths.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// y[m or n] = alpha · op(A) · x + beta · y for a row-major A[m×n].
    @inline(__always)
    public static func gemv(
        trans: Bool = false, m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>,
        x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha,
                    a, blasint(n), x, 1, beta, y, 1)
    }

    /// y += alpha · x.
    @inline(__always)
    public static func axpy(_ n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
    }

    /// x · y.
    @inline(__always)
    public static func dot(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        cblas_sdot(blasint(n), x, 1, y, 1)
    }

    /// x *= alpha.
    @inline(__always)
    public static func scale(_ n: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        cblas_sscal(blasint(n), alpha, x, 1)
    }

    /// Number of threads OpenBLAS uses for one call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
