import QuarryText

/// Retrieval top-k answer accuracy: the share of questions for which a gold answer occurs, as whole
/// normalised tokens (`AnswerContainment`), in one of the first k retrieved passages.
public struct RetrievalAccuracy: Sendable, Equatable {
    /// The cut-offs reported, increasing.
    public let ks: [Int]
    public private(set) var questions = 0
    /// For each k in `ks`, how many questions had a hit within the first k.
    public private(set) var hits: [Int]

    public init(ks: [Int] = [1, 5, 20, 100]) {
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
        add(firstHitRank: RetrievalAccuracy.firstHitRank(rankedPassages: rankedPassages, answers: answers))
    }

    /// Accuracy in percent for each k.
    public var percentages: [Int: Double] {
        var result: [Int: Double] = [:]
        for (i, k) in ks.enumerated() { result[k] = questions == 0 ? 0 : 100 * Double(hits[i]) / Double(questions) }
        return result
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
