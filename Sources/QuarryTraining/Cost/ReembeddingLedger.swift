import Foundation

/// Why the passage encoder ran: the cost the corrected retriever is meant to cut is counted per purpose.
public enum EncoderPassPurpose: String, Codable, CaseIterable, Sendable {
    /// Embedding every passage once before training (the stale cache g′).
    case initialCache
    /// Re-embedding the corpus during training (`refresh:R`, `exact`).
    case refresh
    /// Fresh embeddings of positives and sampled negatives for the loss.
    case trainingStep
    /// Embedding passages to measure accuracy.
    case evaluation
    /// Fresh embeddings of candidate passages for the sampling-fidelity probe.
    case probe
    /// Passages drawn at random and embedded fresh only to teach the corrector (`--corrector-samples`).
    case correctorSample
    /// The one pass after training that embeds the corpus with the final passage encoder for serving.
    case finalEmbedding

    public var label: String {
        switch self {
        case .initialCache: return "initial cache"
        case .refresh: return "refresh"
        case .trainingStep: return "training step"
        case .evaluation: return "evaluation"
        case .probe: return "probe"
        case .correctorSample: return "corrector sample"
        case .finalEmbedding: return "final embedding"
        }
    }
}

/// Counts passage-encoder forward passes (one pass = one passage encoded) and their wall time, by
/// purpose. Saved with every run as JSON and printed as a table at the end.
public struct ReembeddingLedger: Codable, Equatable, Sendable {
    /// One purpose's totals.
    public struct Entry: Codable, Equatable, Sendable {
        public var purpose: EncoderPassPurpose
        /// Passages encoded.
        public var passes: Int
        /// Encoder calls (batches) that did them.
        public var calls: Int
        /// Wall time spent in those calls.
        public var seconds: Double
    }

    /// One entry per purpose, in `EncoderPassPurpose.allCases` order.
    public private(set) var entries: [Entry]

    public init() {
        entries = EncoderPassPurpose.allCases.map { Entry(purpose: $0, passes: 0, calls: 0, seconds: 0) }
    }

    /// Adds one encoder call of `passes` passages taking `seconds`.
    public mutating func record(_ purpose: EncoderPassPurpose, passes: Int, seconds: Double) {
        precondition(passes >= 0 && seconds >= 0, "ledger entries cannot be negative")
        let i = EncoderPassPurpose.allCases.firstIndex(of: purpose)!
        entries[i].passes += passes
        entries[i].calls += 1
        entries[i].seconds += seconds
    }

    /// Runs `body` (an encoder call over `passes` passages), timing it into the ledger.
    public mutating func measure<T>(_ purpose: EncoderPassPurpose, passes: Int, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        record(purpose, passes: passes, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return result
    }

    public func entry(_ purpose: EncoderPassPurpose) -> Entry {
        entries[EncoderPassPurpose.allCases.firstIndex(of: purpose)!]
    }

    /// All passages encoded, whatever the purpose.
    public var totalPasses: Int { entries.reduce(0) { $0 + $1.passes } }
    public var totalSeconds: Double { entries.reduce(0) { $0 + $1.seconds } }

    /// Passages encoded beyond the initial cache to keep the cache current (refresh), the cost the paper
    /// compares across strategies.
    public var reembeddedPasses: Int { entry(.refresh).passes }

    /// Adds another ledger's counts (e.g. a resumed run's earlier part).
    public mutating func merge(_ other: ReembeddingLedger) {
        for (i, entry) in other.entries.enumerated() {
            entries[i].passes += entry.passes
            entries[i].calls += entry.calls
            entries[i].seconds += entry.seconds
        }
    }

    /// Fixed-width table: purpose, passages, calls, seconds, passages/s, and a total row.
    public func table() -> String {
        // The purpose column is as wide as its longest label ("corrector sample", "final embedding").
        let width = entries.map(\.purpose.label.count).max().map { max($0 + 1, 14) } ?? 14
        func row(_ name: String, _ passes: Int, _ calls: Int, _ seconds: Double) -> String {
            let rate = seconds > 0 ? String(format: "%.1f", Double(passes) / seconds) : "-"
            return name.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "%12d %8d %10.1f %12@", passes, calls, seconds, rate as NSString)
        }
        var lines = ["purpose".padding(toLength: width, withPad: " ", startingAt: 0)
            + String(format: "%12@ %8@ %10@ %12@", "passages" as NSString, "calls" as NSString,
                     "seconds" as NSString, "passages/s" as NSString)]
        for entry in entries { lines.append(row(entry.purpose.label, entry.passes, entry.calls, entry.seconds)) }
        lines.append(row("total", totalPasses, entries.reduce(0) { $0 + $1.calls }, totalSeconds))
        return lines.joined(separator: "\n")
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

extension ReembeddingLedger {
    // Decoding accepts entries in any order and fills in purposes that a ledger from an older run lacks.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let decoded = try container.decode([Entry].self, forKey: .entries)
        self.init()
        for entry in decoded {
            let i = EncoderPassPurpose.allCases.firstIndex(of: entry.purpose)!
            entries[i] = entry
        }
    }
}
