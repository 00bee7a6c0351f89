import Foundation
import QuarryNN
import QuarryText

/// The heads' logits for one window, cut out of a batch.
public struct WindowLogits: Sendable {
    /// Start and end logits of each token of the window's `ids`.
    public var start: [Float]
    public var end: [Float]
    public var relevance: Float

    public init(start: [Float], end: [Float], relevance: Float) {
        self.start = start
        self.end = end
        self.relevance = relevance
    }
}

/// One answer span in one window.
public struct SpanCandidate: Sendable, Equatable {
    public var windowIndex: Int
    public var passageIndex: Int
    /// Token positions in the window's ids.
    public var startToken: Int
    public var endToken: Int
    /// UTF-8 range in the passage text.
    public var utf8Range: Range<Int>
    /// The span's log-probability under the scoring rule (`SpanScoringRule`).
    public var logScore: Double
}

/// An answer after merging every span whose text normalises the same way.
public struct ReaderAnswer: Sendable, Equatable {
    /// The text of the best-scoring span, exactly as in its passage.
    public var text: String
    /// The SQuAD-normalised text the spans were merged under.
    public var normalized: String
    /// log Σ over merged spans of exp(span log score): the log-probability of this answer.
    public var logScore: Double
    /// The best span (its passage and where the text lies in it).
    public var best: SpanCandidate
    /// How many spans were merged.
    public var occurrences: Int

    /// exp(logScore).
    public var probability: Double { exp(logScore) }
}

/// How a span's score is made from the heads' logits (`SpanScoring.candidates`).
///
/// `window` normalises start and end within each window: log_softmax(start)[s] + log_softmax(end)[e] over
/// the window's passage-text tokens, so every window is sure of its own best span and windows are told
/// apart only by relevance. `shared` normalises start and end over the text tokens of every window read
/// for the question together (shared normalisation, as Clark & Gardner 2018 train and score), so a window
/// whose logits are low everywhere cannot offer a confident span. `relevance` adds
/// log_softmax(relevance)[w] over the windows (the relevance head's choice of window, as DPR's reader).
/// `retrieval:W` adds W times the passage's retrieval score standardised over the passages read for the
/// question (z-score), the linear mix of reader and retriever scores of BERTserini (Yang et al. 2019);
/// standardising makes one weight serve BM25, dense and fused scores, whose scales differ by orders of
/// magnitude.
public struct SpanScoringRule: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Normalization: String, Codable, Sendable { case window, shared }
    public var normalization: Normalization
    public var usesRelevance: Bool
    /// Weight of the standardised retrieval score (0: the reader alone).
    public var retrievalWeight: Double

    public init(normalization: Normalization, usesRelevance: Bool, retrievalWeight: Double = 0) {
        self.normalization = normalization
        self.usesRelevance = usesRelevance
        self.retrievalWeight = retrievalWeight
    }

    /// The factorised score readers trained per window use: relevance, then start and end within the window.
    public static let windowRelevance = SpanScoringRule(normalization: .window, usesRelevance: true)
    /// Start and end normalised across all windows, with no relevance term.
    public static let shared = SpanScoringRule(normalization: .shared, usesRelevance: false)
    public static let all = [windowRelevance, SpanScoringRule(normalization: .window, usesRelevance: false),
                             shared, SpanScoringRule(normalization: .shared, usesRelevance: true)]
    /// Retrieval weights `eval --compare-scoring` tries with the reader's own rule.
    public static let comparedRetrievalWeights: [Double] = [0.25, 0.5, 1, 2]

    /// The same rule with another retrieval weight.
    public func withRetrievalWeight(_ weight: Double) -> SpanScoringRule {
        SpanScoringRule(normalization: normalization, usesRelevance: usesRelevance, retrievalWeight: weight)
    }

    /// `window`, `window+relevance`, `shared` or `shared+relevance`, optionally `+retrieval:W` (W ≥ 0).
    public init?(_ text: String) {
        var parts = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        var weight = 0.0
        if let last = parts.last, last.hasPrefix("retrieval:"), parts.count > 1 {
            guard let w = Double(last.dropFirst("retrieval:".count)), w >= 0, w.isFinite else { return nil }
            weight = w
            parts.removeLast()
        }
        guard let first = parts.first, let normalization = Normalization(rawValue: first),
              parts.count == 1 || (parts.count == 2 && parts[1] == "relevance") else { return nil }
        self.init(normalization: normalization, usesRelevance: parts.count == 2, retrievalWeight: weight)
    }

    public var description: String {
        normalization.rawValue + (usesRelevance ? "+relevance" : "")
            + (retrievalWeight > 0 ? "+retrieval:" + String(format: "%g", retrievalWeight) : "")
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let rule = SpanScoringRule(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown span scoring \"\(text)\" (window, window+relevance, shared, shared+relevance, then optionally +retrieval:W)"))
        }
        self = rule
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Span scoring and answer merging.
///
/// A span's score is a log-probability: with the default rule (`SpanScoringRule.windowRelevance`), a
/// factorised model where the relevance logits of every window the question was read with go through one
/// softmax (which window holds the answer), and within a window the start and end logits each go through
/// a softmax over the window's passage-text tokens: score(span) = log_softmax(relevance)[w] +
/// log_softmax(start)[s] + log_softmax(end)[e], for s ≤ e < s + L. With shared normalisation the start and
/// end softmaxes run over the text tokens of all windows at once. Summing raw logits would make no
/// probability to merge by; the softmaxes keep scores on one scale. Spans start and end on word
/// boundaries (never inside a word's `##` pieces). Merging adds the probabilities of every span with the same
/// normalised text (log-sum-exp): an answer found in several passages gathers their evidence, as the sum
/// over occurrences in a mixture model does; its shown text and passage are those of its best span.
public enum SpanScoring {
    static func logSoftmax(_ values: [Float], over range: Range<Int>) -> [Double] {
        values.withUnsafeBufferPointer { LogSumExp.logSoftmax($0, over: range) }
    }

    static func logSumExp(_ values: [Float], over range: Range<Int>) -> Double {
        values.withUnsafeBufferPointer { LogSumExp.of($0, over: range) }
    }

    /// Each passage's retrieval score standardised over `passages` (mean 0, standard deviation 1); zeros when
    /// a score is missing or all are equal, so the reader alone decides.
    public static func standardizedRetrievalScores(_ passages: [ReaderPassage]) -> [Double] {
        let scores = passages.compactMap(\.retrievalScore)
        guard scores.count == passages.count, scores.count > 1 else { return [Double](repeating: 0, count: passages.count) }
        let mean = scores.reduce(0, +) / Double(scores.count)
        let deviation = (scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(scores.count)).squareRoot()
        guard deviation > 0, deviation.isFinite else { return [Double](repeating: 0, count: passages.count) }
        return scores.map { ($0 - mean) / deviation }
    }

    /// The best `perWindow` spans of every window, scored by `rule` as described above; `retrieval` holds each
    /// passage's standardised retrieval score (`standardizedRetrievalScores`), used when the rule weighs it.
    public static func candidates(windows: [ReaderWindow], logits: [WindowLogits], maxAnswerTokens: Int,
                                  rule: SpanScoringRule = .windowRelevance, retrieval: [Double] = [],
                                  perWindow: Int = 20) -> [SpanCandidate] {
        precondition(windows.count == logits.count, "one logits entry per window")
        var relevance = rule.usesRelevance ? logSoftmax(logits.map(\.relevance), over: 0..<logits.count)
                                           : [Double](repeating: 0, count: logits.count)
        if rule.retrievalWeight > 0 {
            for (w, window) in windows.enumerated() where window.passageIndex < retrieval.count {
                relevance[w] += rule.retrievalWeight * retrieval[window.passageIndex]
            }
        }
        // Shared normalisation: one partition function for start (and one for end) over every window's text.
        let sharedStart = LogSumExp.of(zip(windows, logits).map { logSumExp($1.start, over: $0.textPositions) })
        let sharedEnd = LogSumExp.of(zip(windows, logits).map { logSumExp($1.end, over: $0.textPositions) })
        var result: [SpanCandidate] = []
        for (w, window) in windows.enumerated() where !window.textPositions.isEmpty {
            let positions = window.textPositions
            let starts: [Double], ends: [Double]
            switch rule.normalization {
            case .window:
                starts = logSoftmax(logits[w].start, over: positions)
                ends = logSoftmax(logits[w].end, over: positions)
            case .shared:
                starts = logits[w].start.map { Double($0) - sharedStart }
                ends = logits[w].end.map { Double($0) - sharedEnd }
            }
            var spans: [(Int, Int, Double)] = []
            for s in positions where window.canStart(at: s) {
                for e in s..<min(positions.upperBound, s + maxAnswerTokens) where window.canEnd(at: e) {
                    spans.append((s, e, relevance[w] + starts[s] + ends[e]))
                }
            }
            spans.sort { $0.2 > $1.2 }
            for (s, e, score) in spans.prefix(perWindow) {
                result.append(SpanCandidate(windowIndex: w, passageIndex: window.passageIndex, startToken: s, endToken: e,
                                            utf8Range: window.utf8Range(from: s, through: e), logScore: score))
            }
        }
        return result
    }

    /// Merges candidates by normalised text (spans normalising to nothing are dropped), best first.
    public static func merge(_ candidates: [SpanCandidate], passages: [ReaderPassage], limit: Int? = nil) -> [ReaderAnswer] {
        // Overlapping windows see the same span twice: count each place in a passage once, at its best score.
        var places: [String: SpanCandidate] = [:]
        for candidate in candidates {
            let key = "\(candidate.passageIndex):\(candidate.utf8Range.lowerBound):\(candidate.utf8Range.upperBound)"
            if let seen = places[key], seen.logScore >= candidate.logScore { continue }
            places[key] = candidate
        }
        var groups: [String: (best: SpanCandidate, text: String, scores: [Double])] = [:]
        for candidate in places.values.sorted(by: { ($0.logScore, $1.windowIndex) > ($1.logScore, $0.windowIndex) }) {
            let text = String(passages[candidate.passageIndex].text.substring(utf8Offsets: candidate.utf8Range))
            let normalized = AnswerNormalization.normalize(text)
            if normalized.isEmpty { continue }
            if var group = groups[normalized] {
                group.scores.append(candidate.logScore)
                if candidate.logScore > group.best.logScore { group.best = candidate; group.text = text }
                groups[normalized] = group
            } else {
                groups[normalized] = (candidate, text, [candidate.logScore])
            }
        }
        var answers = groups.map { key, group -> ReaderAnswer in
            ReaderAnswer(text: group.text, normalized: key, logScore: LogSumExp.of(group.scores), best: group.best,
                                occurrences: group.scores.count)
        }
        answers.sort { $0.logScore > $1.logScore || ($0.logScore == $1.logScore && $0.normalized < $1.normalized) }
        if let limit { answers = Array(answers.prefix(limit)) }
        return answers
    }
}
