import Foundation
import QuarryStore
import QuarryText

/// The store's passages as training sees them: row i is the i-th passage in id order (the row order of
/// every embedding cache), with its encoder input already tokenised and its text indexed for answer
/// containment.
public struct TrainingCorpus: Sendable {
    /// Passage id of each row.
    public let passageIDs: [Int64]
    /// `[CLS] … [SEP]` token ids of each row's passage prompt, truncated to the training length.
    public let tokens: [[Int]]
    /// Whole-word answer containment over each row's text (titles are not searched for answers).
    public let containment: AnswerContainmentIndex

    public var count: Int { passageIDs.count }

    public init(passageIDs: [Int64], tokens: [[Int]], containment: AnswerContainmentIndex) {
        precondition(passageIDs.count == tokens.count && tokens.count == containment.passageCount,
                     "corpus parts disagree in length")
        self.passageIDs = passageIDs
        self.tokens = tokens
        self.containment = containment
    }

    /// Reads every passage of `store` in id order, rendering each with the passage prompt and tokenising
    /// it to at most `maxTokens` tokens.
    public static func load(store: CorpusStore, tokenizer: BertTokenizer, prompts: Prompts, maxTokens: Int) throws -> TrainingCorpus {
        var ids: [Int64] = [], tokens: [[Int]] = [], texts: [String] = []
        try store.forEachPassagePage { page in
            for passage in page {
                ids.append(passage.id)
                texts.append(passage.text)
                let input = prompts.passage.render(["title": passage.title, "text": passage.text]).text
                tokens.append(tokenizer.encode(input, maxLength: maxTokens))
            }
        }
        return TrainingCorpus(passageIDs: ids, tokens: tokens, containment: AnswerContainmentIndex(passages: texts))
    }

    /// The share of passages longer than `maxTokens` word pieces (special tokens included), estimated on up to
    /// `sample` passages spread evenly over the store: what training at that length cuts off.
    public func truncatedShare(store: CorpusStore, tokenizer: BertTokenizer, prompts: Prompts, maxTokens: Int,
                               sample: Int = 1000) throws -> Double {
        let ids = passageIDs
        guard !ids.isEmpty else { return 0 }
        let step = max(1, ids.count / sample)
        let picked = try store.passages(ids: stride(from: 0, to: ids.count, by: step).map { ids[$0] })
        let longer = picked.filter { passage in
            let input = prompts.passage.render(["title": passage.title, "text": passage.text]).text
            return tokenizer.encode(input, maxLength: maxTokens + 1).count > maxTokens
        }.count
        return Double(longer) / Double(max(picked.count, 1))
    }

    /// Row of each passage id.
    public func rowsByID() -> [Int64: Int] {
        var rows: [Int64: Int] = [:]
        rows.reserveCapacity(count)
        for (row, id) in passageIDs.enumerated() { rows[id] = row }
        return rows
    }
}
