import Foundation

/// Why a tokenizer could not be made from a model folder.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case malformedVocabulary(path: String, reason: String)
    case missingSpecialToken(path: String, token: String)
    case malformedConfiguration(path: String, reason: String)
    case unsupported(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot read (\(reason))"
        case let .malformedVocabulary(path, reason): return "\(path): malformed vocabulary: \(reason)"
        case let .missingSpecialToken(path, token): return "\(path): the vocabulary has no \(token) token"
        case let .malformedConfiguration(path, reason): return "\(path): \(reason)"
        case let .unsupported(path, reason): return "\(path): unsupported tokenizer: \(reason)"
        }
    }
}
