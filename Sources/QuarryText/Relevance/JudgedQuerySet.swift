/// A test collection's judged queries with their judgements, as `eval` and `train retriever` take them.
public struct JudgedQuerySet: Sendable {
    /// The queries that have judgements, in file order.
    public var queries: [JudgedQuery]
    public var judgements: RelevanceJudgements
    /// Where they came from, for run descriptions ("qrels FILE, queries FILE").
    public var source: String

    public init(queries: [JudgedQuery], judgements: RelevanceJudgements, source: String) {
        self.queries = queries
        self.judgements = judgements
        self.source = source
    }
}
