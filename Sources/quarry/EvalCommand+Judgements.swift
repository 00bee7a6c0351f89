import ArgumentParser
import Foundation
import QuarryQA
import QuarryText

/// `eval --qrels FILE --queries FILE` (or `--beir DIR`): document rankings scored as trec_eval scores them.
extension EvalCommand {
    func evaluateJudged() throws {
        let refused = [("--predictions", predictions != nil), ("--gold-context", goldContext), ("--out", out != nil),
                       ("--squad-predictions", squadPredictions != nil), ("--compare-scoring", compareScoring)]
        if let option = refused.first(where: { $0.1 })?.0 { throw ValidationError("\(option) applies to --qa only") }
        let set = try judged.judgements.load(note: store.note)
        var queries = set.queries
        if let side = selection.side {
            let plan = QASplitPlan(queries.map(\.example), testShare: selection.testShare)
            store.note("queries: \(plan.summary(of: queries.map(\.example)))")
            queries = queries.filter { plan.side(of: $0.example) == side }
        }
        if let limit = selection.limit { queries = Array(queries.prefix(limit)) }
        let corpus = try store.openExistingStore()
        let relevant = Set(set.judgements.grades.keys.flatMap { set.judgements.relevant(to: $0) })
        let stored = try corpus.passageIDs(ofDocuments: relevant).count
        store.note("documents judged relevant: \(stored) of \(relevant.count) are in the store"
                   + (stored == 0 ? " (ingest the collection's documents; their ids must be the ones the qrels name)" : ""))
        let retriever = try answering.retrieval.openRetriever(corpus, prompts: try answering.retrieval.prompts(), quiet: store.quiet)
        var options = JudgedEvaluationOptions()
        options.recallCutoffs = cutoffs!
        let evaluator = JudgedEvaluator(retriever: retriever, documentIDs: corpus.documentExternalIDs(passageIDs:),
                                        passageCount: try corpus.passageCount(), options: options)
        let runFile = try judged.run.map { try TRECRunFile(path: $0, tag: judged.runTag ?? retriever.name) }
        let showsProgress = store.showsProgress
        var done = 0
        let report = try evaluator.run(queries, judgements: set.judgements) { outcome in
            try runFile?.write(query: outcome.query.id, ranking: outcome.ranking)
            done += 1
            if showsProgress && (done % 10 == 0 || done == queries.count) { StandardError.write("\rquery \(done)/\(queries.count)") }
        }
        if showsProgress { StandardError.write("\n") }
        try runFile?.close()
        try printJudged(JudgedEvalJSON(report, retriever: retriever.name))
    }

    private func printJudged(_ figures: JudgedEvalJSON) throws {
        if json { try JSONOutput.print(figures); return }
        print("queries: \(figures.queries) judged (\(figures.queries_without_relevant) without a relevant document)")
        let recall = figures.recall.sorted { Int($0.key)! < Int($1.key)! }.map { "recall@\($0.key) " + String(format: "%.4f", $0.value) }
        print("retrieval (\(figures.retriever)): " + String(format: "nDCG@10 %.4f   MRR@10 %.4f   ", figures.ndcg_10, figures.mrr_10)
              + recall.joined(separator: "   "))
        print(String(format: "%.2f queries/s (%.1f s)", figures.seconds > 0 ? Double(figures.queries) / figures.seconds : 0, figures.seconds))
    }
}

/// The figures of a judged evaluation as `eval --json` prints them: means over the judged queries, 0–1 as
/// trec_eval prints them (not percentages).
struct JudgedEvalJSON: Encodable {
    var queries: Int
    var queries_without_relevant: Int
    var ndcg_10: Double
    var mrr_10: Double
    var recall: [String: Double]
    var retriever: String
    var seconds: Double

    init(_ report: JudgedEvaluationReport, retriever: String) {
        queries = report.totals.queries
        queries_without_relevant = report.queriesWithoutRelevant
        ndcg_10 = report.totals.ndcg10
        mrr_10 = report.totals.mrr10
        recall = Dictionary(uniqueKeysWithValues: report.totals.recall.map { ("\($0.key)", $0.value) })
        self.retriever = retriever
        seconds = report.seconds
    }
}
