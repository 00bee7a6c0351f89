import Foundation
import QuarryModels
import QuarryNN
import QuarryText

/// A model folder ready to turn text into unit vectors: its WordPiece tokenizer and BERT encoder together.
/// Texts are tokenized as they are (templates are the caller's business) and truncated to `maxTokens`.
/// Not thread-safe, like the encoder it wraps.
public final class SentenceEncoder {
    /// The model folder, as an absolute path.
    public let folder: URL
    public let encoder: BertEncoder
    public let tokenizer: BertTokenizer

    /// Loads `config.json`, `vocab.txt`, `model.safetensors` and the pooling set-up of `folder`.
    public init(modelFolder: URL) throws {
        folder = modelFolder.standardizedFileURL
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else {
            throw ModelFolderError(path: folder.path, reason: "not a model folder (no config.json)")
        }
        encoder = try BertEncoder(contentsOf: folder)
        tokenizer = try BertTokenizer(modelDirectory: folder)
    }

    /// Floats per embedding.
    public var dimension: Int { encoder.dimension }

    /// The longest input the model takes, special tokens included (256 for all-MiniLM-L6-v2).
    public var maxTokens: Int { min(encoder.maxSequenceLength, tokenizer.maxLength) }

    /// `[CLS] pieces [SEP]` of `text`, truncated to `limit` (at most the model's `maxTokens`).
    public func tokenize(_ text: String, limit: Int? = nil) -> [Int] {
        tokenizer.encode(text, maxLength: min(limit ?? maxTokens, maxTokens))
    }

    /// Embeddings of `texts`, n × `dimension` floats row-major in input order. Sorted by length and cut into
    /// batches of at most `batchSize`, so little work goes into padding.
    public func embed(_ texts: [String], limit: Int? = nil, batchSize: Int = 32) throws -> [Float] {
        try embed(tokenized: texts.map { tokenize($0, limit: limit) }, batchSize: batchSize)
    }

    /// Embeddings of token-id sequences, as `embed(_:)`.
    public func embed(tokenized sequences: [[Int]], batchSize: Int = 32) throws -> [Float] {
        let batch = max(1, batchSize)
        return try encoder.embed(sequences, maxBatch: batch, maxTokens: batch * max(1, maxTokens))
    }

    /// One OpenBLAS thread and one worker per active core (OpenBLAS may otherwise count cores the process
    /// cannot use).
    public static func useAllCores() {
        useThreads(ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Sets the OpenBLAS threads and the element-wise workers (at least one each).
    public static func useThreads(_ count: Int) {
        BLAS.threads = max(1, count)
        Parallel.workers = max(1, count)
    }
}
