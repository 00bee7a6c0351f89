import Foundation
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
    /// log P(window) + log P(start | window) + log P(end | window).
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

/// Span scoring and answer merging.
///
/// A span's score is a log-probability under a factorised model: the relevance logits of every window the
/// question was read with go through one softmax (which window holds the answer), and within a window the
/// start and end logits each go through a softmax over the window's passage-text tokens. So
/// score(span) = log_softmax(relevance)[w] + log_softmax(start)[s] + log_softmax(end)[e], for s ≤ e < s + L.
/// Summing the three logits raw would let a window with large logits everywhere win; the softmaxes put
/// windows and spans on one comparable scale. Spans start and end on word boundaries (never inside a
/// word's `##` pieces). Merging adds the probabilities of every span with the same
/// normalised text (log-sum-exp): an answer found in several passages gathers their evidence, as the sum
/// over occurrences in a mixture model does; its shown text and passage are those of its best span.
public enum SpanScoring {
    /// log_softmax of `values` restricted to `range` (others untouched in the result: -inf).
    static func logSoftmax(_ values: [Float], over range: Range<Int>) -> [Double] {
        var out = [Double](repeating: -.infinity, count: values.count)
        guard !range.isEmpty else { return out }
        var m = -Double.infinity
        for i in range { m = max(m, Double(values[i])) }
        var total = 0.0
        for i in range { total += exp(Double(values[i]) - m) }
        let logTotal = m + log(total)
        for i in range { out[i] = Double(values[i]) - logTotal }
        return out
    }

    /// The best `perWindow` spans of every window, scored as described above.
    public static func candidates(windows: [ReaderWindow], logits: [WindowLogits], maxAnswerTokens: Int,
                                  perWindow: Int = 20) -> [SpanCandidate] {
        precondition(windows.count == logits.count, "one logits entry per window")
        let relevance = logSoftmax(logits.map(\.relevance), over: 0..<logits.count)
        var result: [SpanCandidate] = []
        for (w, window) in windows.enumerated() where !window.textPositions.isEmpty {
            let positions = window.textPositions
            let starts = logSoftmax(logits[w].start, over: positions)
            let ends = logSoftmax(logits[w].end, over: positions)
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
            let m = group.scores.max()!
            let total = m + log(group.scores.reduce(0) { $0 + exp($1 - m) })
            return ReaderAnswer(text: group.text, normalized: key, logScore: total, best: group.best,
                                occurrences: group.scores.count)
        }
        answers.sort { $0.logScore > $1.logScore || ($0.logScore == $1.logScore && $0.normalized < $1.normalized) }
        if let limit { answers = Array(answers.prefix(limit)) }
        return answers
    }
}
