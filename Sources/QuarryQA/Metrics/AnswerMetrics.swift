import QuarryText

/// Exact match and F1 as the official SQuAD v1.1 evaluation defines them, on `AnswerNormalization` tokens:
/// EM is 1 when the normalised strings are equal; F1 is the harmonic mean of token precision and recall
/// over the multiset of common tokens (0 when none are common); both take the best over the gold answers.
public enum AnswerMetrics {
    /// 1 when the normalised prediction equals the normalised answer, else 0.
    public static func exactMatch(prediction: String, answer: String) -> Double {
        AnswerNormalization.tokens(prediction) == AnswerNormalization.tokens(answer) ? 1 : 0
    }

    /// Token-level F1 between the normalised prediction and answer.
    public static func f1(prediction: String, answer: String) -> Double {
        f1(predictionTokens: AnswerNormalization.tokens(prediction), answerTokens: AnswerNormalization.tokens(answer))
    }

    /// The best exact match over the gold answers (0 when there are none).
    public static func exactMatch(prediction: String, gold: [String]) -> Double {
        let predicted = AnswerNormalization.tokens(prediction)
        return gold.contains { AnswerNormalization.tokens($0) == predicted } ? 1 : 0
    }

    /// The best F1 over the gold answers (0 when there are none).
    public static func f1(prediction: String, gold: [String]) -> Double {
        let predicted = AnswerNormalization.tokens(prediction)
        return gold.map { f1(predictionTokens: predicted, answerTokens: AnswerNormalization.tokens($0)) }.max() ?? 0
    }

    /// F1 on already normalised tokens.
    public static func f1(predictionTokens: [String], answerTokens: [String]) -> Double {
        guard !predictionTokens.isEmpty, !answerTokens.isEmpty else { return 0 }
        var remaining: [String: Int] = [:]
        for token in answerTokens { remaining[token, default: 0] += 1 }
        var common = 0
        for token in predictionTokens {
            if let left = remaining[token], left > 0 {
                remaining[token] = left - 1
                common += 1
            }
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(predictionTokens.count)
        let recall = Double(common) / Double(answerTokens.count)
        return 2 * precision * recall / (precision + recall)
    }
}

/// Running EM and F1 over a set of questions, reported in percent as the official script does.
public struct AnswerScoreTotals: Sendable, Equatable {
    /// Questions counted, answered or not.
    public private(set) var questions = 0
    /// Questions that had a prediction.
    public private(set) var answered = 0
    public private(set) var exactMatchSum = 0.0
    public private(set) var f1Sum = 0.0

    public init() {}

    /// Scores one question; a missing prediction (nil) counts as 0 for both metrics, as officially.
    public mutating func add(prediction: String?, gold: [String]) {
        questions += 1
        guard let prediction else { return }
        answered += 1
        exactMatchSum += AnswerMetrics.exactMatch(prediction: prediction, gold: gold)
        f1Sum += AnswerMetrics.f1(prediction: prediction, gold: gold)
    }

    /// Exact match in percent (0 for no questions).
    public var exactMatch: Double { questions == 0 ? 0 : 100 * exactMatchSum / Double(questions) }
    /// F1 in percent (0 for no questions).
    public var f1: Double { questions == 0 ? 0 : 100 * f1Sum / Double(questions) }
}
