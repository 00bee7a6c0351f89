/// One search result: a row id of the index and its inner-product score.
public struct Neighbor: Hashable, Sendable {
    /// Row number in the index (0-based, in the order rows were added).
    public var id: Int
    /// Inner product of the query with that row.
    public var score: Float

    public init(id: Int, score: Float) {
        self.id = id
        self.score = score
    }

    /// Result order: higher score first, and for equal scores the lower id first, so results are deterministic.
    @inline(__always)
    public func ranksBefore(_ other: Neighbor) -> Bool {
        score > other.score || (score == other.score && id < other.id)
    }
}

/// What every vector index offers: rows are added in order and numbered from 0, and a batch of queries
/// returns the `k` best rows per query by inner product.
public protocol VectorIndex: AnyObject {
    /// Length of every vector.
    var dimension: Int { get }
    /// Number of rows added so far.
    var count: Int { get }
    /// Appends `vectors.count / dimension` rows, row-major.
    func add(_ vectors: UnsafeBufferPointer<Float>) throws
    /// The best `k` rows for each of `queries.count / dimension` queries (row-major), best first.
    /// A query gets fewer than `k` results when the index holds fewer rows.
    func search(_ queries: UnsafeBufferPointer<Float>, k: Int) throws -> [[Neighbor]]
}

extension VectorIndex {
    /// `add` for an array of rows, row-major.
    public func add(_ vectors: [Float]) throws {
        try vectors.withUnsafeBufferPointer { try add($0) }
    }

    /// `search` for an array of queries, row-major.
    public func search(_ queries: [Float], k: Int) throws -> [[Neighbor]] {
        try queries.withUnsafeBufferPointer { try search($0, k: k) }
    }
}

/// Errors from vector indexes: always say which sizes disagreed.
public enum VectorIndexError: Error, CustomStringConvertible, Equatable {
    case dimensionMismatch(dimension: Int, valueCount: Int)
    case invalidDimension(Int)
    case invalidK(Int)

    public var description: String {
        switch self {
        case let .dimensionMismatch(dimension, valueCount):
            return "vector data of \(valueCount) floats is not a whole number of rows of dimension \(dimension)"
        case let .invalidDimension(dimension):
            return "vector dimension must be positive, got \(dimension)"
        case let .invalidK(k):
            return "k must be positive, got \(k)"
        }
    }
}
