import Foundation
import QuarryModels
import QuarryNN

/// One question as the reader trains on it: its windows (the positive first), and the gold start and end
/// token positions in the positive window.
public struct ReaderTrainingItem: Sendable {
    public var windows: [ReaderWindow]
    /// Positions (in `windows[0].ids`) where a gold answer starts / ends; the loss marginalises over them.
    public var starts: [Int]
    public var ends: [Int]

    public init(windows: [ReaderWindow], starts: [Int], ends: [Int]) {
        self.windows = windows
        self.starts = starts
        self.ends = ends
    }
}

/// The parts of the reader loss, each a mean over questions.
public struct ReaderLossParts: Codable, Sendable, Equatable {
    public var relevance: Double = 0
    public var start: Double = 0
    public var end: Double = 0
    public var total: Double { relevance + start + end }

    public init(relevance: Double = 0, start: Double = 0, end: Double = 0) {
        self.relevance = relevance
        self.start = start
        self.end = end
    }
}

/// The reader's training objective, as DPR's reader: for each question,
/// relevance cross-entropy of its positive window against its other windows (passages without the
/// answer teach relevance only), plus start and end cross-entropy over the positive window's passage-text
/// tokens, each marginalised over the gold positions: −log Σ_{s∈gold} softmax(start)[s].
/// With `.shared` normalisation the start and end softmaxes run over the passage-text tokens of all the
/// question's windows together (Clark & Gardner 2018), so the windows without the answer learn low start
/// and end logits everywhere: the objective that matches `SpanScoringRule` `shared` at reading time.
public enum ReaderLoss {
    /// Forward (and, with `backward`, gradients accumulated into the encoder's and heads' stores) over
    /// `items`, scaled by `1 / questions` so several calls can make up one step of `questions` questions.
    @discardableResult
    public static func run(_ items: [ReaderTrainingItem], reader: ExtractiveReader, questions: Int,
                           backward: Bool, normalization: SpanScoringRule.Normalization = .window) throws -> ReaderLossParts {
        let windows = items.flatMap(\.windows)
        guard !windows.isEmpty else { return ReaderLossParts() }
        let batch = TokenBatch(sequences: windows.map(\.ids), typeIds: windows.map(\.typeIds))
        let t = batch.length
        let pass = try reader.encoder.trainingForward(batch)
        let hidden = pass.hiddenStates
        let logits = reader.heads.forward(hidden: hidden, batch: batch.size, length: t)
        var dStart = [Float](repeating: 0, count: batch.size * t), dEnd = dStart
        var dRelevance = [Float](repeating: 0, count: batch.size)
        let scale = 1 / Double(max(questions, 1))
        var parts = ReaderLossParts()
        var row = 0
        for item in items {
            let k = item.windows.count
            let relevance = (0..<k).map { Double(logits.relevance[row + $0]) }
            let (relevanceLoss, relevanceGrad) = marginalCrossEntropy(relevance, gold: [0])
            parts.relevance += relevanceLoss * scale
            for j in 0..<k { dRelevance[row + j] = Float(relevanceGrad[j] * scale) }
            // Flat indices of the tokens the softmax runs over: the positive window's text first, then (shared)
            // every other window's, so gold positions keep their offsets into the positive window's text.
            let read = normalization == .shared ? 0..<k : 0..<1
            let flat = read.flatMap { j in item.windows[j].textPositions.map { (row + j) * t + $0 } }
            let first = item.windows[0].textPositions.lowerBound
            for (gold, source, isStart) in [(item.starts, logits.start, true), (item.ends, logits.end, false)] {
                let values = flat.map { Double(source[$0]) }
                let (loss, grad) = marginalCrossEntropy(values, gold: gold.map { $0 - first })
                if isStart { parts.start += loss * scale } else { parts.end += loss * scale }
                for (i, index) in flat.enumerated() {
                    if isStart { dStart[index] = Float(grad[i] * scale) } else { dEnd[index] = Float(grad[i] * scale) }
                }
            }
            row += k
        }
        if backward {
            let dHidden = reader.heads.backward(hidden: hidden, batch: batch.size, length: t,
                                                dStart: dStart, dEnd: dEnd, dRelevance: dRelevance)
            reader.encoder.backward(pass, hiddenGradient: dHidden)
        }
        return parts
    }

    /// −log Σ_{g∈gold} softmax(x)[g] and its gradient softmax(x) − softmax restricted to gold.
    static func marginalCrossEntropy(_ x: [Double], gold: [Int]) -> (Double, [Double]) {
        guard !x.isEmpty, !gold.isEmpty else { return (0, [Double](repeating: 0, count: x.count)) }
        let m = x.max()!
        let e = x.map { exp($0 - m) }
        let total = e.reduce(0, +)
        let goldSet = Set(gold.filter { $0 >= 0 && $0 < x.count })
        let goldTotal = goldSet.reduce(0) { $0 + e[$1] }
        guard goldTotal > 0 else { return (0, [Double](repeating: 0, count: x.count)) }
        let loss = log(total) - log(goldTotal)
        var grad = e.map { $0 / total }
        for g in goldSet { grad[g] -= e[g] / goldTotal }
        return (loss, grad)
    }
}
