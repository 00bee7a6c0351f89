/// Where a training step's hard negatives come from, and what keeps the passage cache current: the
/// strategies compared under one trainer, one loss and one budget.
public enum NegativeStrategy: Equatable, Sendable, CustomStringConvertible {
    /// No sampled negatives: only the other questions' positives.
    case inBatch
    /// The best BM25 passages for the question that hold no gold answer (fixed before training).
    case bm25
    /// Sampled from the initial cache g′, never updated.
    case stale
    /// Sampled from the corrected cache h(g′): the method. The corrector learns the drift; g′ is never re-embedded.
    case corrected
    /// Sampled from a cache re-embedded with the current passage encoder every `every` steps.
    case refresh(every: Int)
    /// Re-embedded every step (refresh:1); tiny corpora only.
    case exact

    /// Parses `in-batch`, `bm25`, `stale`, `corrected`, `refresh:R` or `exact`.
    public init(parsing text: String) throws {
        switch text {
        case "in-batch": self = .inBatch
        case "bm25": self = .bm25
        case "stale": self = .stale
        case "corrected": self = .corrected
        case "exact": self = .exact
        default:
            if text.hasPrefix("refresh:"), let r = Int(text.dropFirst("refresh:".count)), r > 0 {
                self = .refresh(every: r)
            } else {
                throw TrainingError.invalidArgument(
                    "unknown negatives strategy \"\(text)\": use in-batch, bm25, stale, corrected, refresh:R (R ≥ 1) or exact")
            }
        }
    }

    public var description: String {
        switch self {
        case .inBatch: return "in-batch"
        case .bm25: return "bm25"
        case .stale: return "stale"
        case .corrected: return "corrected"
        case let .refresh(r): return "refresh:\(r)"
        case .exact: return "exact"
        }
    }

    /// A name usable as a retriever or file name (`refresh-50` for `refresh:50`).
    public var fileName: String { description.replacingOccurrences(of: ":", with: "-") }

    /// Whether the corrector is trained and applied.
    public var usesCorrector: Bool { self == .corrected }

    /// Steps between full re-embeddings of the corpus, or nil when the cache is never re-embedded.
    public var refreshInterval: Int? {
        switch self {
        case let .refresh(r): return r
        case .exact: return 1
        default: return nil
        }
    }
}

/// A training run that cannot start or go on; always says what to change.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case noTrainingQuestions(String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidArgument(message): return message
        case let .noTrainingQuestions(message): return message
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}
