import Foundation
import QuarryNN

/// How a cache's rows were made, kept beside the float file as `<name>.json`: the model folder, the
/// fingerprint of its weights, the passage template, the truncation and the precision. The store's record holds the row
/// count and the weights hash; this adds what it takes to reproduce a row, and lets a check skip
/// re-hashing unchanged weights.
public struct EmbeddingCacheManifest: Codable, Equatable, Sendable {
    /// Absolute path of the model folder.
    public var model: String
    public var weights: WeightsFingerprint
    /// The passage template text the rows were rendered with.
    public var passageTemplate: String
    /// Token limit per passage, special tokens included.
    public var maxTokens: Int
    public var dimension: Int
    /// The encoder's precision when it made the rows; nil in manifests from before it was recorded, whose
    /// rows were all made in fp32 (`madePrecision`).
    public var precision: Precision?

    /// The precision the rows were made in.
    public var madePrecision: Precision { precision ?? .fp32 }

    enum CodingKeys: String, CodingKey {
        case model, weights, dimension, precision
        case passageTemplate = "passage_template"
        case maxTokens = "max_tokens"
    }

    public init(model: String, weights: WeightsFingerprint, passageTemplate: String, maxTokens: Int, dimension: Int,
                precision: Precision) {
        self.model = model
        self.precision = precision
        self.weights = weights
        self.passageTemplate = passageTemplate
        self.maxTokens = maxTokens
        self.dimension = dimension
    }

    /// Where the manifest of `cache` lives.
    public static func url(for cache: EmbeddingCache) -> URL {
        cache.fileURL.deletingPathExtension().appendingPathExtension("json")
    }

    /// The manifest of `cache`, nil when there is none; an unreadable one is an error naming the file.
    public static func load(for cache: EmbeddingCache) throws -> EmbeddingCacheManifest? {
        let url = url(for: cache)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(EmbeddingCacheManifest.self, from: Data(contentsOf: url))
        } catch {
            throw EmbeddingJobError.damaged(path: url.path, reason: "not a cache manifest (\(error))")
        }
    }

    /// Writes the manifest atomically (a kill leaves the old one or the new one).
    public func save(for cache: EmbeddingCache) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: Self.url(for: cache))
    }
}
