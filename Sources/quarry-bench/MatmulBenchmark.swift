import Foundation
import QuarryNN

/// `quarry-bench matmul`: GFLOP/s of the encoder's projection products (rows × in · (out × in)ᵀ, as
/// `Linear.forward` runs them) on OpenBLAS fp32, oneDNN fp32 and oneDNN bf16, to choose the fp32 library
/// by measurement. Prints one JSON line per shape and library.
struct MatmulBenchmark {
    var rows: Int
    var repeats: Int

    func run() {
        for (inDim, outDim) in [(384, 1536), (1536, 384), (384, 384)] {
            let a = Self.randomMatrix(rows * inDim), w = Self.randomMatrix(outDim * inDim)
            var c = [Float](repeating: 0, count: rows * outDim)
            for (library, precision) in [(MatrixProducts.Library.openBLAS, Precision.fp32), (.oneDNN, .fp32), (.oneDNN, .bf16)] {
                MatrixProducts.fp32Library = library
                let seconds = c.withUnsafeMutableBufferPointer { out in
                    time { Linear.forward(out: out.baseAddress!, inp: a, weight: w, bias: nil, rows: rows,
                                          inDim: inDim, outDim: outDim, precision: precision) }
                }
                let gflops = 2 * Double(rows * inDim * outDim) * Double(repeats) / seconds / 1e9
                print("{\"shape\": \"\(rows)x\(inDim)·\(inDim)x\(outDim)\", \"library\": \"\(library.rawValue)\", "
                      + "\"precision\": \"\(precision)\", \"gflops\": \(String(format: "%.1f", gflops))}")
            }
        }
    }

    /// Seconds for `repeats` calls after one untimed call (which makes oneDNN's primitive).
    private func time(_ body: () -> Void) -> Double {
        body()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private static func randomMatrix(_ count: Int) -> [Float] {
        var rng = Xoshiro256(seed: UInt64(count))
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: count, std: 1) }
        return values
    }
}
