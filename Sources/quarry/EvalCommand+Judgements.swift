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
        try printJudged(JudgedEvaluationFigures(report, retriever: retriever.name))
    }

    private func printJudged(_ figures: JudgedEvaluationFigures) throws {
        if json { return try JSONOutput.print(figures) }
        figures.textLines.forEach { print($0) }
    }
}
