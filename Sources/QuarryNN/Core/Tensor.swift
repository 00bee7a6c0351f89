/// A dense row-major array of `Float` in one contiguous allocation.
///
/// Deliberately plain: no autograd graph. Layers read and write raw pointers (`data`), and each layer has an
/// explicit `backward` that the caller invokes in reverse order, as in llm.c.
public final class Tensor {
    /// Dimensions, outermost first.
    public private(set) var shape: [Int]
    /// Number of elements currently in use (product of `shape`).
    public private(set) var count: Int
    /// Allocated capacity in elements; `reshape` may shrink or grow within it without reallocating.
    public private(set) var capacity: Int
    /// The elements.
    public private(set) var data: UnsafeMutablePointer<Float>

    /// A zero-filled tensor.
    public init(shape: [Int]) {
        let n = shape.reduce(1, *)
        precondition(n >= 0, "negative dimension in \(shape)")
        self.shape = shape
        count = n
        capacity = max(n, 1)
        data = .allocate(capacity: capacity)
        data.initialize(repeating: 0, count: capacity)
    }

    /// A tensor holding a copy of `values`.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    deinit { data.deallocate() }

    /// Changes the shape, reallocating only when the new size exceeds the capacity. Contents are unspecified
    /// after growing; callers overwrite them.
    public func reshape(_ newShape: [Int]) {
        let n = newShape.reduce(1, *)
        if n > capacity {
            data.deallocate()
            capacity = n
            data = .allocate(capacity: n)
            data.initialize(repeating: 0, count: n)
        }
        shape = newShape
        count = n
    }

    /// Sets every element in use to zero.
    public func zero() { data.update(repeating: 0, count: count) }

    /// A copy of the elements in use.
    public var array: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// Element access by flat index.
    public subscript(index: Int) -> Float {
        get { data[index] }
        set { data[index] = newValue }
    }
}
