import Foundation
import QuarryText

/// Top-k answer accuracy of a ranking: a question counts as answered at k when one of its first k passages
/// holds a gold answer (as whole normalised tokens, `AnswerContainment`). One type for the trainer's
/// evaluations and for `quarry eval`, so both count alike.
public struct TopKAccuracy: Codable, Equatable, Sendable {
    /// The cut-offs reported, increasing.
    public private(set) var ks: [Int]
    public private(set) var questions = 0
    /// For each k in `ks`, how many questions had a hit within the first k.
    public private(set) var hits: [Int]

    public static let defaultKs = [1, 5, 20, 100]

    public init(ks: [Int] = defaultKs) {
        self.ks = Array(Set(ks.filter { $0 > 0 })).sorted()
        hits = [Int](repeating: 0, count: self.ks.count)
    }

    /// Counts one question given the 0-based rank of its first answer-bearing passage (nil: none retrieved).
    public mutating func add(firstHitRank rank: Int?) {
        questions += 1
        guard let rank else { return }
        for (i, k) in ks.enumerated() where rank < k { hits[i] += 1 }
    }

    /// Counts one question from its ranked passage texts.
    public mutating func add(rankedPassages: [String], answers: [String]) {
        add(firstHitRank: Self.firstHitRank(rankedPassages: rankedPassages, answers: answers))
    }

    /// Percentage answered within `k`, when `k` is one of `ks`.
    public func percentage(at k: Int) -> Double? {
        guard let i = ks.firstIndex(of: k) else { return nil }
        return questions == 0 ? 0 : 100 * Double(hits[i]) / Double(questions)
    }

    /// Accuracy in percent for each k.
    public var percentages: [Int: Double] {
        Dictionary(uniqueKeysWithValues: ks.map { ($0, percentage(at: $0)!) })
    }

    /// "top-1 40.0%  top-5 …" for logs.
    public var summary: String {
        ks.map { String(format: "top-%d %.1f%%", $0, percentage(at: $0)!) }.joined(separator: "  ")
    }

    /// The 0-based rank of the first passage containing a gold answer as whole normalised tokens, if any.
    public static func firstHitRank(rankedPassages: [String], answers: [String]) -> Int? {
        let normalisedAnswers = answers.map(AnswerNormalization.tokens).filter { !$0.isEmpty }
        guard !normalisedAnswers.isEmpty else { return nil }
        for (rank, passage) in rankedPassages.enumerated() {
            let tokens = AnswerNormalization.tokens(passage)[...]
            if normalisedAnswers.contains(where: { AnswerContainment.containsRun(tokens, $0) }) { return rank }
        }
        return nil
    }
}
