import Foundation

/// A BERT-family architecture as Hugging Face's `config.json` describes it.
public struct BertConfig: Codable, Equatable, Sendable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float
    public var hiddenActivation: String

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layers = "num_hidden_layers"
        case heads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case maxPositions = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case hiddenActivation = "hidden_act"
    }

    public init(
        vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
        maxPositions: Int, typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12, hiddenActivation: String = "gelu"
    ) {
        self.vocabularySize = vocabularySize; self.hiddenSize = hiddenSize; self.layers = layers
        self.heads = heads; self.intermediateSize = intermediateSize; self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize; self.layerNormEpsilon = layerNormEpsilon
        self.hiddenActivation = hiddenActivation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        maxPositions = try c.decode(Int.self, forKey: .maxPositions)
        typeVocabularySize = try c.decodeIfPresent(Int.self, forKey: .typeVocabularySize) ?? 2
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-12
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
    }

    /// Reads and checks `config.json`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelFolderError(path: url.path, reason: "cannot read (\(error.localizedDescription))")
        }
        do { self = try JSONDecoder().decode(BertConfig.self, from: data) } catch {
            throw ModelFolderError(path: url.path, reason: "not a BERT config: \(error)")
        }
        if let problem = problem { throw ModelFolderError(path: url.path, reason: problem) }
    }

    /// Why this configuration cannot be run, or nil.
    public var problem: String? {
        if [vocabularySize, hiddenSize, layers, heads, intermediateSize, maxPositions, typeVocabularySize].contains(where: { $0 <= 0 }) {
            return "sizes must be positive"
        }
        if hiddenSize % heads != 0 { return "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)" }
        if hiddenActivation != "gelu" { return "hidden_act \(hiddenActivation) is not supported (only gelu)" }
        return nil
    }

    /// Channels per attention head.
    public var headSize: Int { hiddenSize / heads }
}

/// A model folder or one of its files that cannot be used.
public struct ModelFolderError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
