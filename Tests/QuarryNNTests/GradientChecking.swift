import QuarryNN
import QuarryTestSupport
import XCTest

/// Central finite differences against an analytic gradient.
///
/// The loss is Σ out·r for a fixed random r, so the analytic pass starts from dout = r. Forward passes run in
/// Float, so the step is large (1e-2) and the tolerance is |a - n| ≤ 2e-3 + 3e-2·max(|a|, |n|).
enum GradientChecking {
    static func random(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = Xoshiro256(seed: seed)
        let t = Tensor(shape: shape)
        rng.fillNormal(t.data, count: t.count, std: std)
        return t
    }

    /// Perturbs each element of `parameter`, re-evaluates `loss`, and compares with `analytic`.
    static func check(
        _ name: String, parameter: Tensor, analytic: Tensor, eps: Float = 1e-2,
        file: StaticString = #filePath, line: UInt = #line, loss: () -> Double
    ) {
        XCTAssertEqual(parameter.count, analytic.count, "\(name): gradient size", file: file, line: line)
        var worst: Float = 0
        for i in 0..<parameter.count {
            let numeric = Float(FiniteDifference.derivative(of: parameter.data, at: i, step: eps, loss: loss))
            let a = analytic[i]
            let error = abs(a - numeric)
            worst = max(worst, error)
            XCTAssertLessThanOrEqual(error, 2e-3 + 3e-2 * max(abs(a), abs(numeric)),
                                     "\(name)[\(i)]: analytic \(a), numeric \(numeric)", file: file, line: line)
        }
        XCTAssertTrue(worst.isFinite, "\(name): non-finite gradient", file: file, line: line)
    }

    /// Σ out·r in Double.
    static func weightedSum(_ out: Tensor, _ r: Tensor) -> Double {
        var s: Double = 0
        for i in 0..<out.count { s += Double(out[i]) * Double(r[i]) }
        return s
    }
}
