import Foundation
import QuarryRetrieval

extension QuestionAnswerer {
    /// What `quarry ask` prints for `result`: the best answer with its passage and evidence, the alternatives
    /// and the timings; without a reader, the passages ranked best and how to train one. `verbose` adds the
    /// advice and timings.
    public func textLines(of result: AnswerResult, verbose: Bool) -> [String] {
        var lines = ["Q: \(result.question)"]
        guard reader != nil else {
            if verbose {
                lines.append("No reader is trained yet, so here are the passages \(retriever?.name ?? "the retriever") ranks best.")
                lines.append("Train one with `quarry train reader --qa FILE` (add --gold-context for SQuAD files).")
            }
            return lines + Self.passageLines(result.retrieved)
        }
        guard let best = result.answers.first else {
            return lines + [result.retrieved.isEmpty ? "No passage matches the question."
                : "No answer found in the \(min(result.retrieved.count, readDepth)) passages read."]
        }
        lines.append("A: \(best.text)   (score \(String(format: "%.3f", best.logScore)), p = \(String(format: "%.3f", best.probability))"
                     + (best.occurrences > 1 ? ", found \(best.occurrences) times" : "") + ")")
        lines.append("   from \(best.passage.title.isEmpty ? "untitled" : best.passage.title)" + (best.passage.passageID.map { " (passage \($0))" } ?? ""))
        lines.append("   \(best.evidence)")
        let rest = result.answers.dropFirst()
        if !rest.isEmpty {
            lines.append("Alternatives:")
            for (i, other) in rest.enumerated() {
                lines.append("   \(i + 2). \(other.text)   (p = \(String(format: "%.3f", other.probability))) — \(other.passage.title)")
            }
        }
        if verbose {
            lines.append(String(format: "(retrieval %.0f ms", 1000 * result.retrievalSeconds) + " with \(retriever?.name ?? "-")"
                         + String(format: ", reading %.0f ms)", 1000 * result.readingSeconds))
        }
        return lines + [""]
    }

    /// Ranked passages, each with its score, title, id and first 300 characters.
    static func passageLines(_ passages: [RetrievedPassage]) -> [String] {
        if passages.isEmpty { return ["No passage matches the question.", ""] }
        return passages.enumerated().flatMap { rank, p in
            ["\(rank + 1). [\(String(format: "%.3f", p.score))] \(p.title) (passage \(p.passageID))",
             "   \(p.text.count > 300 ? String(p.text.prefix(300)) + "…" : p.text)"]
        } + [""]
    }
}
