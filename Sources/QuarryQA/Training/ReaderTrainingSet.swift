import Foundation
import QuarryRetrieval
import QuarryStore
import QuarryText

/// Turns a QA set into reader training examples.
public enum ReaderTrainingSet {
    /// Gold-paragraph supervision (SQuAD): each question with its own paragraph, the answers placed by
    /// `answer_start` (else by normalised match), and up to `negatives` other paragraphs of the same
    /// article as relevance negatives. Questions without a paragraph or whose answer cannot be placed are
    /// counted in `skipped`.
    public static func goldContext(_ examples: [QAExample], negatives: Int = 0) -> (examples: [ReaderTrainingExample], skipped: Int) {
        var paragraphsByArticle: [String: [String]] = [:]
        var seen = Set<String>()
        for example in examples {
            guard let context = example.context, seen.insert(context).inserted else { continue }
            paragraphsByArticle[example.article ?? example.title ?? "", default: []].append(context)
        }
        var result: [ReaderTrainingExample] = []
        var skipped = 0
        for example in examples {
            guard let context = example.context else { skipped += 1; continue }
            let ranges = AnswerLocator.goldRanges(answers: example.answers, answerStarts: example.answerStarts, in: context)
            guard !ranges.isEmpty else { skipped += 1; continue }
            let title = example.title ?? ""
            var passages = [ReaderPassage(title: title, text: context)]
            var answerRanges = [ranges]
            if negatives > 0 {
                let siblings = (paragraphsByArticle[example.article ?? example.title ?? ""] ?? []).filter { $0 != context }
                // A fixed choice per question (its id picks the offset) keeps the set reproducible.
                let offset = siblings.isEmpty ? 0 : Int(UInt(bitPattern: stableHash(example.id)) % UInt(siblings.count))
                for i in 0..<min(negatives, siblings.count) {
                    let text = siblings[(offset + i) % siblings.count]
                    passages.append(ReaderPassage(title: title, text: text))
                    answerRanges.append(AnswerLocator.occurrences(of: example.answers, in: text))
                }
            }
            result.append(ReaderTrainingExample(question: example.question, passages: passages, answerRanges: answerRanges))
        }
        return (result, skipped)
    }

    /// Article supervision, for QA sets that name each question's article (`title`) but give no paragraph:
    /// each question with its article's stored passages, the answers located in them by normalised whole-word
    /// match. The trainer reads one answer-bearing window and up to `negatives` answerless windows of the
    /// same article. Questions without a title, whose article is not in `passagesByTitle`, or whose answer is
    /// in none of its passages are counted in `skipped`.
    public static func articlePassages(_ examples: [QAExample], passagesByTitle: [String: [ReaderPassage]])
        -> (examples: [ReaderTrainingExample], skipped: Int) {
        var result: [ReaderTrainingExample] = []
        var skipped = 0
        for example in examples {
            guard let title = example.title, let passages = passagesByTitle[title], !passages.isEmpty else { skipped += 1; continue }
            let ranges = passages.map { AnswerLocator.occurrences(of: example.answers, in: $0.text) }
            if ranges.allSatisfy(\.isEmpty) { skipped += 1; continue }
            result.append(ReaderTrainingExample(question: example.question, passages: passages, answerRanges: ranges))
        }
        return (result, skipped)
    }

    /// Distant supervision: each question with its top `k` retrieved passages; answers located in them by
    /// normalised whole-word match. Questions whose answer is in none of them are counted in `skipped`.
    public static func retrieved(_ examples: [QAExample], retriever: any Retriever, k: Int, batchSize: Int = 64,
                                 progress: ((Int) -> Void)? = nil) throws -> (examples: [ReaderTrainingExample], skipped: Int) {
        var result: [ReaderTrainingExample] = []
        var skipped = 0
        var done = 0
        for start in stride(from: 0, to: examples.count, by: batchSize) {
            let batch = Array(examples[start..<min(examples.count, start + batchSize)])
            let lists = try retriever.retrieve(batch.map(\.question), k: k)
            for (example, list) in zip(batch, lists) {
                let passages = list.map(\.readerPassage)
                let ranges = passages.map { AnswerLocator.occurrences(of: example.answers, in: $0.text) }
                if ranges.allSatisfy(\.isEmpty) { skipped += 1; continue }
                result.append(ReaderTrainingExample(question: example.question, passages: passages, answerRanges: ranges))
            }
            done += batch.count
            progress?(done)
        }
        return (result, skipped)
    }

    /// Gold supervision from whatever each question gives: its own paragraph (SQuAD, `goldContext`), or only
    /// the name of its article (JSON lines with `title`, as the demo set), read with that article's passages
    /// stored in `store` (`articlePassages`). Named `gold-context`, `gold-article` or both joined by `+`.
    public static func gold(_ examples: [QAExample], negatives: Int, store: CorpusStore) throws
        -> (name: String, examples: [ReaderTrainingExample], skipped: Int) {
        let withParagraph = examples.filter { $0.context != nil }
        let withArticle = examples.filter { $0.context == nil }
        let paragraphs = goldContext(withParagraph, negatives: negatives)
        guard !withArticle.isEmpty else { return ("gold-context", paragraphs.examples, paragraphs.skipped) }
        let stored = try store.passages(titled: Set(withArticle.compactMap(\.title)))
        let byTitle = stored.mapValues { $0.map { ReaderPassage(passageID: $0.id, title: $0.title, text: $0.text) } }
        let articles = articlePassages(withArticle, passagesByTitle: byTitle)
        let name = withParagraph.isEmpty ? "gold-article" : "gold-context+gold-article"
        return (name, paragraphs.examples + articles.examples, paragraphs.skipped + articles.skipped)
    }

    static func stableHash(_ text: String) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Int(truncatingIfNeeded: hash >> 1)
    }
}
