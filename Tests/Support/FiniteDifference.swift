/// Central finite differences for gradient checks: every target's gradient test perturbs a float in place,
/// re-evaluates its loss on each side and restores the float, so the loop lives here once. Each test keeps
/// its own step and tolerance (what suits a layer does not suit a whole encoder).
public enum FiniteDifference {
    /// (loss(x + h) − loss(x − h)) / 2h for x = `values[index]`, which is left as it was.
    public static func derivative(of values: UnsafeMutablePointer<Float>, at index: Int, step h: Float = 1e-2,
                                  loss: () throws -> Double) rethrows -> Double {
        let saved = values[index]
        defer { values[index] = saved }
        values[index] = saved + h
        let plus = try loss()
        values[index] = saved - h
        let minus = try loss()
        return (plus - minus) / (2 * Double(h))
    }
}
