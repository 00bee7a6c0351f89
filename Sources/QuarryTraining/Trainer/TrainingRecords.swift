import Foundation
import QuarryRetrieval

/// What one step did, as a line of `metrics.jsonl` (`"kind": "step"`).
public struct StepRecord: Codable, Equatable, Sendable {
    public var kind = "step"
    /// Steps completed, this one included.
    public var step: Int
    public var loss: Float
    /// Drift loss of the corrector on this step's passages (before its update); nil without a corrector.
    public var driftLoss: Float?
    public var learningRate: Float
    public var gradientNorm: Float
    /// Passages encoded fresh for the loss.
    public var passagesEncoded: Int
    public var timings: StepTimings
}

/// An evaluation, as a line of `metrics.jsonl` (`"kind": "eval"`).
public struct EvaluationRecord: Codable, Equatable, Sendable {
    public var kind = "eval"
    public var step: Int
    /// `corrected` (h(g′), what sampling sees), `cache` (the sampling cache as it stands) or `served` (the
    /// corpus embedded by the final passage encoder after training: what users search).
    public var index: String
    /// The same, in words, so nobody reads one kind of figure for the other.
    public var label: String
    public var accuracy: TopKAccuracy
    /// Top-k accuracy in percent, keyed by k, for readers of the file.
    public var topK: [String: Double]
    /// Passages re-embedded to refresh the cache so far (the cost axis of the comparison).
    public var reembeddedPassages: Int
    /// All passage-encoder passes so far, every purpose.
    public var encoderPasses: Int

    public init(step: Int, index: String, accuracy: TopKAccuracy, reembeddedPassages: Int, encoderPasses: Int) {
        self.step = step
        self.index = index
        label = Self.label(of: index)
        self.accuracy = accuracy
        var table: [String: Double] = [:]
        for k in accuracy.ks { table["\(k)"] = accuracy.percentage(at: k) }
        topK = table
        self.reembeddedPassages = reembeddedPassages
        self.encoderPasses = encoderPasses
    }
}

extension EvaluationRecord {
    /// The index of the evaluation through the served cache.
    public static let servedIndex = "served"
    /// The index of evaluations through the corpus re-embedded at that step (`fidelityQuestions`).
    public static let reembeddedIndex = "reembedded"

    /// Whether it went through the cache negative sampling used (not a re-embedding of the corpus).
    public var isThroughSamplingCache: Bool { index != Self.servedIndex && index != Self.reembeddedIndex }

    static func label(of index: String) -> String {
        switch index {
        case "corrected": return "sampling cache h(g′(Y)), corrected: what negative sampling sees, not what users search"
        case "cache": return "sampling cache: what negative sampling sees, not what users search"
        case servedIndex: return "served: the corpus embedded by the trained passage encoder, what --retriever NAME searches"
        case reembeddedIndex: return "the corpus re-embedded at this step at training length: what serving now would give"
        default: return index
        }
    }
}

/// A sampling-fidelity probe, as a line of `metrics.jsonl` (`"kind": "fidelity"`).
public struct FidelityRecord: Codable, Equatable, Sendable {
    public var kind = "fidelity"
    public var step: Int
    public var fidelity: SamplingFidelity
}
