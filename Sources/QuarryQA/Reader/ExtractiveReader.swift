import Foundation
import QuarryModels
import QuarryText

/// An extractive reader: a BERT-family encoder (all-MiniLM-L6-v2 to start from) with start, end and
/// relevance heads. Given a question and passages it scores answer spans (`SpanScoring`) and merges the
/// spans that normalise to the same answer.
///
/// Not thread-safe (the encoder reuses its buffers); make one reader per thread.
public final class ExtractiveReader {
    public let encoder: BertEncoder
    public let heads: ReaderHeads
    public let inputs: ReaderInputBuilder
    /// The configuration, with the span scoring rule as it now stands (saved with the reader).
    public var configuration: ReaderConfiguration {
        var configuration = inputs.configuration
        configuration.spanScoring = spanScoring
        configuration.readPassages = readPassages
        return configuration
    }
    /// How `read` scores spans across windows: the rule the reader was trained for (see `SpanScoringRule`).
    public var spanScoring: SpanScoringRule
    /// Passages to read per question unless told otherwise (see `ReaderConfiguration.readPassages`).
    public var readPassages: Int?
    /// The model folder whose vocabulary and tokenizer files a saved reader copies.
    public var tokenizerFolder: URL?

    /// A reader on `encoder` with the given heads (fresh ones, seeded, when nil).
    public init(encoder: BertEncoder, tokenizer: BertTokenizer, prompts: Prompts,
                configuration: ReaderConfiguration = ReaderConfiguration(), heads: ReaderHeads? = nil, seed: UInt64 = 0) throws {
        var configuration = configuration
        configuration.maxSequenceLength = min(configuration.maxSequenceLength, tokenizer.maxLength, encoder.config.maxPositions)
        if let problem = configuration.problem { throw ReaderError.badConfiguration(problem) }
        let heads = heads ?? ReaderHeads(hiddenSize: encoder.dimension, seed: seed)
        guard heads.hiddenSize == encoder.dimension else {
            throw ReaderError.badConfiguration("heads of size \(heads.hiddenSize) on an encoder of size \(encoder.dimension)")
        }
        self.encoder = encoder
        self.heads = heads
        inputs = ReaderInputBuilder(tokenizer: tokenizer, prompts: prompts, configuration: configuration)
        spanScoring = configuration.spanScoring
        readPassages = configuration.readPassages
    }

    /// An untrained reader from a Hugging Face model folder (encoder weights loaded, heads fresh).
    public convenience init(modelFolder: URL, prompts: Prompts, configuration: ReaderConfiguration = ReaderConfiguration(),
                            seed: UInt64 = 0) throws {
        try self.init(encoder: BertEncoder(contentsOf: modelFolder), tokenizer: BertTokenizer(modelDirectory: modelFolder),
                      prompts: prompts, configuration: configuration, seed: seed)
        tokenizerFolder = modelFolder
    }

    /// Every window of every passage, in passage order.
    public func windows(question: String, passages: [ReaderPassage]) -> [ReaderWindow] {
        passages.enumerated().flatMap { inputs.windows(question: question, passage: $0.element, passageIndex: $0.offset) }
    }

    /// The heads' logits for each window (inference: batches of similar length).
    public func logits(_ windows: [ReaderWindow], maxBatch: Int = 16) throws -> [WindowLogits] {
        var result = [WindowLogits?](repeating: nil, count: windows.count)
        for indices in LengthBuckets.batches(lengths: windows.map(\.ids.count), maxBatch: maxBatch, maxTokens: 4096) {
            let batch = TokenBatch(sequences: indices.map { windows[$0].ids }, typeIds: indices.map { windows[$0].typeIds })
            let hidden = try encoder.hiddenStates(batch)
            let out = heads.forward(hidden: hidden, batch: batch.size, length: batch.length)
            for (row, index) in indices.enumerated() {
                let range = (row * batch.length)..<(row * batch.length + windows[index].ids.count)
                result[index] = WindowLogits(start: Array(out.start[range]), end: Array(out.end[range]),
                                             relevance: out.relevance[row])
            }
        }
        return result.map { $0! }
    }

    /// The answers found in `passages`, best first (at most `limit`), spans scored by `spanScoring`.
    public func read(question: String, passages: [ReaderPassage], limit: Int = 10) throws -> [ReaderAnswer] {
        try read(question: question, passages: passages, limit: limit, rules: [spanScoring])[0]
    }

    /// The answers under each of `rules`, from one pass of the encoder (to compare scoring rules).
    public func read(question: String, passages: [ReaderPassage], limit: Int, rules: [SpanScoringRule]) throws -> [[ReaderAnswer]] {
        let windows = windows(question: question, passages: passages)
        guard !windows.isEmpty else { return rules.map { _ in [] } }
        let logits = try logits(windows)
        let retrieval = SpanScoring.standardizedRetrievalScores(passages)
        return rules.map { rule in
            let candidates = SpanScoring.candidates(windows: windows, logits: logits, maxAnswerTokens: configuration.maxAnswerTokens,
                                                    rule: rule, retrieval: retrieval)
            return SpanScoring.merge(candidates, passages: passages, limit: limit)
        }
    }
}

/// A reader that cannot be built, loaded or saved.
public enum ReaderError: Error, CustomStringConvertible {
    case badConfiguration(String)
    case malformedFolder(path: String, reason: String)
    case notFound(name: String, known: [String])

    public var description: String {
        switch self {
        case let .badConfiguration(reason): return "reader configuration: \(reason)"
        case let .malformedFolder(path, reason): return "\(path): \(reason)"
        case let .notFound(name, known):
            return "no reader named \(name)" + (known.isEmpty ? " (none is trained yet: run `quarry train reader --qa FILE`)"
                                                               : "; trained readers: \(known.joined(separator: ", "))")
        }
    }
}
