/// Every trainable parameter of a model in one allocation, and every gradient in another of the same layout.
///
/// A parameter is a named view (offset and shape) into both buffers, so zeroing gradients, clipping by global
/// norm, optimiser steps and checkpoints each touch one flat array.
public final class ParameterStore {
    /// A named slice of the store.
    public struct Parameter: Hashable, Sendable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public let count: Int
    }

    /// All parameters, in declaration order.
    public let parameters: [Parameter]
    /// Total number of floats.
    public let count: Int
    /// Values of every parameter, contiguous.
    public let values: UnsafeMutablePointer<Float>
    /// Gradients of every parameter, same layout as `values`.
    public let gradients: UnsafeMutablePointer<Float>
    private let index: [String: Int]

    /// Lays out the given (name, shape) pairs; values and gradients start at zero.
    public init(_ specs: [(name: String, shape: [Int])]) {
        var offset = 0
        var list: [Parameter] = []
        var index: [String: Int] = [:]
        for spec in specs {
            let n = spec.shape.reduce(1, *)
            precondition(index[spec.name] == nil, "parameter \(spec.name) declared twice")
            index[spec.name] = list.count
            list.append(Parameter(name: spec.name, shape: spec.shape, offset: offset, count: n))
            offset += n
        }
        parameters = list
        count = offset
        self.index = index
        values = .allocate(capacity: max(offset, 1))
        values.initialize(repeating: 0, count: max(offset, 1))
        gradients = .allocate(capacity: max(offset, 1))
        gradients.initialize(repeating: 0, count: max(offset, 1))
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    /// The parameter called `name`, if declared.
    public func parameter(named name: String) -> Parameter? { index[name].map { parameters[$0] } }

    /// Pointer to a parameter's values.
    @inline(__always) public func value(_ p: Parameter) -> UnsafeMutablePointer<Float> { values + p.offset }
    /// Pointer to a parameter's gradient.
    @inline(__always) public func gradient(_ p: Parameter) -> UnsafeMutablePointer<Float> { gradients + p.offset }

    /// Sets every gradient to zero.
    public func zeroGradients() { gradients.update(repeating: 0, count: count) }

    /// √(Σ g²) over every gradient.
    public func gradientNorm() -> Float {
        var total: Double = 0
        var start = 0
        // Chunks keep float partial sums short before they are added in double.
        while start < count {
            let n = min(1 << 16, count - start)
            total += Double(BLAS.dot(n, gradients + start, gradients + start))
            start += n
        }
        return Float(total.squareRoot())
    }

    /// Scales all gradients so their global norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        let norm = gradientNorm()
        if norm > maxNorm && norm.isFinite {
            BLAS.scale(count, alpha: maxNorm / (norm + 1e-6), x: gradients)
        }
        return norm
    }
}
