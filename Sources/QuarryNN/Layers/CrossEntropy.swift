/// Softmax cross-entropy over rows of logits, optionally scaled (a temperature β multiplies the logits).
public enum SoftmaxCrossEntropy {
    /// Mean over rows of -log softmax(scale · logits[n, :])[target[n]];  probs[N, K] saved.
    /// Targets must lie in 0..<K.
    public static func forward(
        probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        rows: Int, classes: Int, scale: Float = 1
    ) -> Float {
        var loss: Double = 0
        for n in 0..<rows {
            let z = logits + n &* classes, p = probs + n &* classes
            var m = -Float.infinity
            for j in 0..<classes { m = max(m, scale * z[j]) }
            var total: Double = 0
            for j in 0..<classes {
                let e = Foundation.exp(Double(scale * z[j] - m))
                p[j] = Float(e)
                total += e
            }
            for j in 0..<classes { p[j] = Float(Double(p[j]) / total) }
            let target = Int(targets[n])
            loss += -(Double(scale * z[target] - m) - Foundation.log(total))
        }
        return Float(loss / Double(max(rows, 1)))
    }

    /// dlogits[N, K] += scale · (probs - onehot(target)) / N
    public static func backward(
        dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        rows: Int, classes: Int, scale: Float = 1
    ) {
        let factor = scale / Float(max(rows, 1))
        for n in 0..<rows {
            let p = probs + n &* classes, d = dlogits + n &* classes
            for j in 0..<classes { d[j] += factor * p[j] }
            d[Int(targets[n])] -= factor
        }
    }
}

import Foundation
