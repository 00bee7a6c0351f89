import Foundation
import QuarryRetrieval
import QuarryText

/// How `Evaluator` runs.
public struct EvaluationOptions: Sendable {
    /// Retrieval top-k cut-offs.
    public var ks: [Int] = [1, 5, 20, 100]
    /// Read each question's own SQuAD paragraph instead of retrieved passages (no retrieval figures).
    public var goldContext = false
    /// Questions retrieved together.
    public var batchSize = 32

    public init() {}
}

/// One question's outcome.
public struct QuestionOutcome: Sendable {
    public var example: QAExample
    /// The top answer, nil without a reader (or when nothing was found).
    public var prediction: String?
    public var exactMatch: Double?
    public var f1: Double?
    /// 0-based rank of the first retrieved passage holding a gold answer (nil: none, or no retrieval).
    public var firstHitRank: Int?
    public var result: AnswerResult
}

/// Totals of an evaluation.
public struct EvaluationReport: Sendable {
    public var questions = 0
    /// EM and F1 (nil without a reader).
    public var answers: AnswerScoreTotals?
    /// EM and F1 under each of the answerer's compared span scoring rules.
    public var comparedAnswers: [SpanScoringRule: AnswerScoreTotals] = [:]
    /// Top-k accuracy (nil in gold-context mode).
    public var retrieval: TopKAccuracy?
    public var seconds = 0.0
    public var questionsPerSecond: Double { seconds > 0 ? Double(questions) / seconds : 0 }
}

/// Runs a QA set through a `QuestionAnswerer`, scoring answers (SQuAD v1.1 EM/F1) and retrieval (top-k).
public struct Evaluator {
    public let answerer: QuestionAnswerer
    public let options: EvaluationOptions

    public init(answerer: QuestionAnswerer, options: EvaluationOptions) {
        self.answerer = answerer
        self.options = options
    }

    public func run(_ examples: [QAExample], each: (QuestionOutcome) throws -> Void = { _ in }) throws -> EvaluationReport {
        var report = EvaluationReport()
        let hasReader = answerer.reader != nil
        if hasReader { report.answers = AnswerScoreTotals() }
        if !options.goldContext { report.retrieval = TopKAccuracy(ks: options.ks) }
        let started = Date()
        for chunk in stride(from: 0, to: examples.count, by: max(1, options.batchSize)) {
            let batch = Array(examples[chunk..<min(examples.count, chunk + max(1, options.batchSize))])
            let results: [AnswerResult]
            if options.goldContext {
                results = try batch.map { example in
                    guard let context = example.context else {
                        throw ReaderError.badConfiguration("question \(example.id) has no paragraph: --gold-context needs a SQuAD-format file")
                    }
                    let start = Date()
                    let (answers, compared) = try answerer.readComparing(example.question,
                                                                         passages: [ReaderPassage(title: example.title ?? "", text: context)])
                    return AnswerResult(question: example.question, retrieved: [], answers: answers, retrievalSeconds: 0,
                                        readingSeconds: Date().timeIntervalSince(start), comparedAnswers: compared)
                }
            } else {
                results = try answerer.answer(batch.map(\.question))
            }
            for (example, result) in zip(batch, results) {
                var outcome = QuestionOutcome(example: example, prediction: result.answers.first?.text, result: result)
                if hasReader {
                    let prediction = outcome.prediction ?? ""
                    report.answers?.add(prediction: prediction, gold: example.answers)
                    outcome.exactMatch = AnswerMetrics.exactMatch(prediction: prediction, gold: example.answers)
                    outcome.f1 = AnswerMetrics.f1(prediction: prediction, gold: example.answers)
                    for rule in answerer.comparedRules {
                        report.comparedAnswers[rule, default: AnswerScoreTotals()]
                            .add(prediction: result.comparedAnswers[rule] ?? "", gold: example.answers)
                    }
                }
                if !options.goldContext {
                    outcome.firstHitRank = TopKAccuracy.firstHitRank(rankedPassages: result.retrieved.map(\.text),
                                                                          answers: example.answers)
                    report.retrieval?.add(firstHitRank: outcome.firstHitRank)
                }
                report.questions += 1
                try each(outcome)
            }
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
