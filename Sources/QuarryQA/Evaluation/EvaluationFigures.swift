import Foundation

/// What `quarry eval` reports on a QA set: as text lines, or as one JSON object whose keys scripts read
/// (`em`, `f1` and `top_k` are always present, null when not measured).
public struct EvaluationFigures: Encodable, Sendable {
    public var questions: Int
    public var exactMatch: Double?
    public var f1: Double?
    public var answered: Int?
    /// Retrieval top-k answer accuracy (%), keyed by k as text.
    public var topK: [String: Double]?
    public var questionsPerSecond: Double?
    public var seconds: Double?
    public var retriever: String?
    /// The embedding cache that answered: for a trained retriever, its served cache (`retriever-NAME`) or,
    /// asked for as `NAME:corrected`, the corrected one.
    public var retrieverCache: String?
    public var reader: String?
    public var goldContext: Bool?
    public var spanScoring: String?
    /// Passages the reader read per question.
    public var read: Int?
    /// EM and F1 under each compared span scoring rule (`eval --compare-scoring`), the reader's own included.
    public var bySpanScoring: [String: ScoringFigures]?

    public init(questions: Int, answers: AnswerScoreTotals?) {
        self.questions = questions
        exactMatch = answers?.exactMatch
        f1 = answers?.f1
        answered = answers?.answered
    }

    /// The figures of an evaluation run by `answerer`; `readerName` names the reader when there is one.
    public init(_ report: EvaluationReport, answerer: QuestionAnswerer, readerName: String?, goldContext: Bool) {
        self.init(questions: report.questions, answers: report.answers)
        if let retrieval = report.retrieval {
            topK = Dictionary(uniqueKeysWithValues: retrieval.percentages.map { ("\($0.key)", $0.value) })
        }
        questionsPerSecond = report.questionsPerSecond
        seconds = report.seconds
        retriever = answerer.retriever?.name
        retrieverCache = answerer.retriever?.cacheName
        self.goldContext = goldContext
        guard let reader = answerer.reader else { return }
        self.reader = readerName
        spanScoring = reader.spanScoring.description
        if !goldContext { read = answerer.readDepth }
        if !report.comparedAnswers.isEmpty {
            var rules = report.comparedAnswers
            rules[reader.spanScoring] = report.answers
            bySpanScoring = Dictionary(uniqueKeysWithValues: rules.map { ($0.key.description, ScoringFigures($0.value)) })
        }
    }

    /// The figures as `eval` prints them without `--json`.
    public var textLines: [String] {
        var lines = ["questions: \(questions)"]
        if let exactMatch, let f1 {
            lines.append(String(format: "exact match: %.2f   F1: %.2f", exactMatch, f1) + (read.map { "   (\($0) passages read per question)" } ?? ""))
        } else {
            lines.append("exact match: -   F1: -   (no reader)")
        }
        if let topK {
            let text = topK.sorted { Int($0.key)! < Int($1.key)! }.map { "top-\($0.key) " + String(format: "%.2f", $0.value) }
            let cache = retrieverCache.map { ", cache \($0)" } ?? ""
            lines.append("retrieval (\(retriever ?? "-")\(cache)): " + text.joined(separator: "   "))
        }
        for (rule, scores) in (bySpanScoring ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "  span scoring %@: exact match %.2f   F1 %.2f", rule, scores.em, scores.f1))
        }
        if let questionsPerSecond, let seconds {
            lines.append(String(format: "%.2f questions/s (%.1f s)", questionsPerSecond, seconds))
        }
        return lines
    }

    enum CodingKeys: String, CodingKey {
        case questions, em, f1, answered, top_k, questions_per_second, seconds, retriever, retriever_cache, reader, gold_context,
             span_scoring, read, by_span_scoring
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(questions, forKey: .questions)
        try c.encode(exactMatch, forKey: .em)
        try c.encode(f1, forKey: .f1)
        try c.encode(topK, forKey: .top_k)
        try c.encodeIfPresent(answered, forKey: .answered)
        try c.encodeIfPresent(questionsPerSecond, forKey: .questions_per_second)
        try c.encodeIfPresent(seconds, forKey: .seconds)
        try c.encodeIfPresent(retriever, forKey: .retriever)
        try c.encodeIfPresent(retrieverCache, forKey: .retriever_cache)
        try c.encodeIfPresent(reader, forKey: .reader)
        try c.encodeIfPresent(goldContext, forKey: .gold_context)
        try c.encodeIfPresent(spanScoring, forKey: .span_scoring)
        try c.encodeIfPresent(read, forKey: .read)
        try c.encodeIfPresent(bySpanScoring, forKey: .by_span_scoring)
    }
}

/// EM and F1 under one span scoring rule.
public struct ScoringFigures: Encodable, Sendable {
    public var em: Double
    public var f1: Double

    init(_ totals: AnswerScoreTotals?) {
        em = totals?.exactMatch ?? 0
        f1 = totals?.f1 ?? 0
    }
}

/// One question's outcome as `eval --out` writes it (a JSON line).
public struct OutcomeRecord: Encodable, Sendable {
    var id: String
    var question: String
    var answer: String?
    var gold: [String]
    var em: Double?
    var f1: Double?
    var score: Double?
    var title: String?
    var passage_id: Int64?
    /// 0-based rank of the first retrieved passage holding an answer.
    var first_hit_rank: Int?
    var passages: [Int64]

    public init(_ outcome: QuestionOutcome) {
        id = outcome.example.id
        question = outcome.example.question
        answer = outcome.prediction
        gold = outcome.example.answers
        em = outcome.exactMatch
        f1 = outcome.f1
        score = outcome.result.answers.first?.logScore
        title = outcome.result.answers.first?.passage.title
        passage_id = outcome.result.answers.first?.passage.passageID
        first_hit_rank = outcome.firstHitRank
        passages = outcome.result.retrieved.map(\.passageID)
    }
}

/// The figures of a judged evaluation as `eval --json` prints them: means over the judged queries, 0–1 as
/// trec_eval prints them (not percentages).
public struct JudgedEvaluationFigures: Encodable, Sendable {
    var queries: Int
    var queries_without_relevant: Int
    var ndcg_10: Double
    var mrr_10: Double
    var recall: [String: Double]
    var retriever: String
    var seconds: Double

    public init(_ report: JudgedEvaluationReport, retriever: String) {
        queries = report.totals.queries
        queries_without_relevant = report.queriesWithoutRelevant
        ndcg_10 = report.totals.ndcg10
        mrr_10 = report.totals.mrr10
        recall = Dictionary(uniqueKeysWithValues: report.totals.recall.map { ("\($0.key)", $0.value) })
        self.retriever = retriever
        seconds = report.seconds
    }

    /// The figures as `eval` prints them without `--json`.
    public var textLines: [String] {
        let recallText = recall.sorted { Int($0.key)! < Int($1.key)! }.map { "recall@\($0.key) " + String(format: "%.4f", $0.value) }
        return ["queries: \(queries) judged (\(queries_without_relevant) without a relevant document)",
                "retrieval (\(retriever)): " + String(format: "nDCG@10 %.4f   MRR@10 %.4f   ", ndcg_10, mrr_10)
                    + recallText.joined(separator: "   "),
                String(format: "%.2f queries/s (%.1f s)", seconds > 0 ? Double(queries) / seconds : 0, seconds)]
    }
}
