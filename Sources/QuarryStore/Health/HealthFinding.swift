/// One part of a store that `quarry check` examined, and what it found.
public struct HealthFinding: Encodable, Equatable, Sendable {
    public enum Verdict: String, Encodable, Sendable {
        /// As it should be.
        case ok
        /// Sound but behind the store (a cache missing new passages, made by other weights): it still serves,
        /// and the repair brings it up to date.
        case lagging
        /// Broken: reading it fails or gives wrong answers until it is repaired.
        case damaged
    }

    /// What was examined: "database", "cache dense", "retriever run", "reader reader".
    public var part: String
    public var verdict: Verdict
    public var detail: String
    /// The command that repairs it (nil when there is nothing to do).
    public var repair: String?

    public init(part: String, verdict: Verdict, detail: String, repair: String? = nil) {
        self.part = part
        self.verdict = verdict
        self.detail = detail
        self.repair = repair
    }
}

extension CorpusStore {
    /// SQLite's integrity check and FTS5's check of the BM25 index against the passages, as one finding.
    public func databaseFinding() throws -> HealthFinding {
        let problems = try integrityProblems()
        guard !problems.isEmpty else {
            return HealthFinding(part: "database", verdict: .ok,
                                 detail: "SQLite integrity and the BM25 index agree with \(try passageCount()) passages")
        }
        let onlyIndex = problems.allSatisfy { $0.hasPrefix("full-text index:") }
        // The index is made from the passages alone, so it can always be rebuilt; other damage needs a copy.
        let repair = onlyIndex
            ? "sqlite3 '\(url.path)' \"INSERT INTO passages_fts (passages_fts) VALUES ('rebuild')\""
            : "restore '\(url.path)' from a copy, or salvage it: sqlite3 '\(url.path)' .recover | sqlite3 NEW.sqlite"
        return HealthFinding(part: "database", verdict: .damaged, detail: problems.prefix(5).joined(separator: "; "), repair: repair)
    }
}
