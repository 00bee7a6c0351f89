import QuarryNN
import XCTest

/// oneDNN's products against OpenBLAS's on the same operands: every transpose, alpha, beta and padded
/// leading dimension the layers use, fp32 (same sums in another order) and bf16 (inputs rounded to 8 bits).
final class MatrixProductsTests: XCTestCase {
    override func tearDown() {
        MatrixProducts.fp32Library = .oneDNN
        super.tearDown()
    }

    func testSingleProductsMatchOpenBLAS() {
        let m = 70, n = 90, k = 110, pad = 3
        var rng = Xoshiro256(seed: 21)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in rng.nextNormal() } }
        for transA in [false, true] {
            for transB in [false, true] {
                let lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad
                let a = random((transA ? k : m) * lda), b = random((transB ? n : k) * ldb), c0 = random(m * ldc)
                func product(_ precision: Precision, _ library: MatrixProducts.Library) -> [Float] {
                    MatrixProducts.fp32Library = library
                    var c = c0
                    c.withUnsafeMutableBufferPointer { out in
                        MatrixProducts.gemm(precision: precision, transA: transA, transB: transB, m: m, n: n, k: k,
                                            alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb, beta: 1, c: out.baseAddress!, ldc: ldc)
                    }
                    return c
                }
                let reference = product(.fp32, .openBLAS)
                let label = "transA \(transA), transB \(transB)"
                XCTAssertLessThanOrEqual(Self.relativeError(product(.fp32, .oneDNN), reference), 1e-6, label)
                let bf16 = Self.relativeError(product(.bf16, .oneDNN), reference)
                XCTAssertLessThanOrEqual(bf16, 1e-2, label)
                XCTAssertGreaterThan(bf16, 1e-6, "\(label): bf16 rounds its inputs")
            }
        }
    }

    /// Attention's layout: heads of [B, T, C] rows, scores into dense [B, H, T, T].
    func testBatchedProductsMatchALoopOfOpenBLAS() throws {
        let b = 3, h = 4, t = 20, d = 16, c = h * d
        var rng = Xoshiro256(seed: 22)
        let q = (0..<(b * t * c)).map { _ in rng.nextNormal() }, k = (0..<(b * t * c)).map { _ in rng.nextNormal() }
        var batched = [Float](repeating: 0, count: b * h * t * t), looped = batched
        let ran = batched.withUnsafeMutableBufferPointer { out in
            MatrixProducts.batchedGemm(transB: true, batches: (b, h), m: t, n: t, k: d, alpha: 0.25, a: q, lda: c,
                                       aStrides: (t * c, d), b: k, ldb: c, bStrides: (t * c, d),
                                       c: out.baseAddress!, ldc: t, cStrides: (h * t * t, t * t))
        }
        XCTAssertTrue(ran, "oneDNN runs batched fp32 products")
        q.withUnsafeBufferPointer { qp in
            k.withUnsafeBufferPointer { kp in
                looped.withUnsafeMutableBufferPointer { out in
                    for s in 0..<b {
                        for head in 0..<h {
                            let offset = s * t * c + head * d
                            BLAS.gemm(transB: true, m: t, n: t, k: d, alpha: 0.25, a: qp.baseAddress! + offset, lda: c,
                                      b: kp.baseAddress! + offset, ldb: c, c: out.baseAddress! + (s * h + head) * t * t, ldc: t)
                        }
                    }
                }
            }
        }
        XCTAssertLessThanOrEqual(Self.relativeError(batched, looped), 1e-6)
    }

    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        var difference = 0.0, norm = 0.0
        for (x, y) in zip(a, b) { difference += Double(x - y) * Double(x - y); norm += Double(y) * Double(y) }
        return (difference / norm).squareRoot()
    }
}
