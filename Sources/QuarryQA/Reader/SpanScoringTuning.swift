/// Choosing a reader's span scoring rule after training (`eval --compare-scoring --adopt-best-scoring`).
public enum SpanScoringTuning {
    /// The other base rules at the reader's retrieval weight and, when passages come from a retriever, the
    /// reader's rule mixed with the retrieval score at every weight of `SpanScoringRule.comparedRetrievalWeights`
    /// (and without it); never `own` itself.
    public static func comparedRules(_ own: SpanScoringRule, retrieved: Bool) -> [SpanScoringRule] {
        var rules = SpanScoringRule.all.map { $0.withRetrievalWeight(own.retrievalWeight) }
        if retrieved { rules += ([0] + SpanScoringRule.comparedRetrievalWeights).map(own.withRetrievalWeight) }
        var seen: Set<SpanScoringRule> = [own]
        return rules.filter { seen.insert($0).inserted }
    }

    /// The rule with the best exact match, then F1; the reader's own rule wins ties, so a rule changes only
    /// for a measured gain.
    public static func best(own: SpanScoringRule, ownTotals: AnswerScoreTotals,
                            compared: [SpanScoringRule: AnswerScoreTotals]) -> (rule: SpanScoringRule, totals: AnswerScoreTotals) {
        var best = (rule: own, totals: ownTotals)
        for (rule, totals) in compared.sorted(by: { $0.key.description < $1.key.description })
        where (totals.exactMatch, totals.f1) > (best.totals.exactMatch, best.totals.f1) {
            best = (rule, totals)
        }
        return best
    }
}
