import Foundation

/// Sums in the log domain, in Double and shifted by the maximum so large logits never overflow: the one
/// implementation behind the reader's span softmaxes, the corrector's score loss and the fidelity probe.
public enum LogSumExp {
    /// log Σ_{i ∈ indices} exp(x[i]); -inf when `indices` is empty.
    public static func of<S: Sequence>(_ x: UnsafeBufferPointer<Float>, over indices: S) -> Double where S.Element == Int {
        var high = -Double.infinity
        for i in indices { high = max(high, Double(x[i])) }
        guard high > -.infinity else { return high }
        var total = 0.0
        for i in indices { total += exp(Double(x[i]) - high) }
        return high + log(total)
    }

    /// log Σ exp over values already in the log domain; -inf for none.
    public static func of(_ parts: [Double]) -> Double {
        let high = parts.max() ?? -.infinity
        guard high > -.infinity else { return high }
        return high + log(parts.reduce(0) { $0 + exp($1 - high) })
    }

    /// log_softmax of `x` over `range`; entries outside it are -inf.
    public static func logSoftmax(_ x: UnsafeBufferPointer<Float>, over range: Range<Int>) -> [Double] {
        var out = [Double](repeating: -.infinity, count: x.count)
        guard !range.isEmpty else { return out }
        let logTotal = of(x, over: range)
        for i in range { out[i] = Double(x[i]) - logTotal }
        return out
    }
}
