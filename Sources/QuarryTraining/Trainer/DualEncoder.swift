import Foundation
import QuarryModels
import QuarryNN

/// The query encoder f and the passage encoder g, both starting from one checkpoint; with shared weights
/// they are one encoder object, whose gradients then sum both roles.
public final class DualEncoder {
    public let query: BertEncoder
    public let passage: BertEncoder
    public var shared: Bool { query === passage }

    public init(query: BertEncoder, passage: BertEncoder) {
        precondition(query.dimension == passage.dimension, "query and passage encoders differ in dimension")
        self.query = query
        self.passage = passage
    }

    /// Loads the model folder once (shared) or twice (separate weights, as DPR and the paper train them).
    public convenience init(modelFolder: URL, shared: Bool) throws {
        let f = try BertEncoder(contentsOf: modelFolder)
        self.init(query: f, passage: shared ? f : try BertEncoder(contentsOf: modelFolder))
    }

    public var dimension: Int { query.dimension }

    /// The distinct parameter stores (one when shared).
    public var stores: [ParameterStore] { shared ? [query.store] : [query.store, passage.store] }

    public func zeroGradients() { for s in stores { s.zeroGradients() } }

    /// Scales all gradients so their joint norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        let norm = stores.map { let n = $0.gradientNorm(); return n * n }.reduce(0, +).squareRoot()
        if norm > maxNorm && norm.isFinite {
            for s in stores { BLAS.scale(s.count, alpha: maxNorm / (norm + 1e-6), x: s.gradients) }
        }
        return norm
    }
}
