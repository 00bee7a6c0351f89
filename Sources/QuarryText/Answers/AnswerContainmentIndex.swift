/// Finds the passages whose normalised text contains a normalised answer as a run of whole tokens — the
/// distant-supervision test for positives.
///
/// Every passage is normalised once (`AnswerNormalization.tokens`) into interned token ids; an inverted
/// index maps each token to its (passage, position) occurrences. A query takes the answer token with the
/// fewest occurrences and checks the full run only at those places, so its cost is the rarest token's
/// frequency, not the corpus size.
public struct AnswerContainmentIndex: Sendable {
    private var vocabulary: [String: Int32] = [:]
    /// All passages' token ids, passage after passage.
    private var tokens: [Int32] = []
    /// `passageStarts[p]..<passageStarts[p + 1]` are passage p's tokens.
    private var passageStarts: [Int] = [0]
    /// Occurrences of token t: `postings[postingStarts[t]..<postingStarts[t + 1]]`, each a global position in
    /// `tokens`, in increasing order (so by passage).
    private var postingStarts: [Int] = []
    private var postings: [Int32] = []
    /// Passage of each global position.
    private var passageOfPosition: [Int32] = []

    /// Normalises and indexes the passages; passage numbers are their positions in the sequence.
    public init<S: Sequence>(passages: S) where S.Element: StringProtocol {
        for passage in passages {
            for token in AnswerNormalization.tokens(String(passage)) {
                let id: Int32
                if let known = vocabulary[token] { id = known } else {
                    id = Int32(vocabulary.count)
                    vocabulary[token] = id
                }
                tokens.append(id)
                passageOfPosition.append(Int32(passageStarts.count - 1))
            }
            passageStarts.append(tokens.count)
        }
        buildPostings()
    }

    private mutating func buildPostings() {
        var counts = [Int](repeating: 0, count: vocabulary.count + 1)
        for id in tokens { counts[Int(id) + 1] += 1 }
        for t in 1..<counts.count { counts[t] += counts[t - 1] }
        postingStarts = counts
        var next = counts
        postings = [Int32](repeating: 0, count: tokens.count)
        for (position, id) in tokens.enumerated() {
            postings[next[Int(id)]] = Int32(position)
            next[Int(id)] += 1
        }
    }

    /// The number of passages indexed.
    public var passageCount: Int { passageStarts.count - 1 }

    /// The number of normalised tokens indexed.
    public var tokenCount: Int { tokens.count }

    /// Gold answers normalised and interned once, for repeated tests against this index.
    public struct Query: Sendable {
        /// Each answer's token ids; answers that normalise to nothing or use a token no passage has are left out.
        fileprivate let answers: [[Int32]]
        /// Whether no passage can contain any of the answers.
        public var isEmpty: Bool { answers.isEmpty }
    }

    /// Normalises and interns `answers` for `passages(containing:)` and `passage(_:contains:)`.
    public func query(_ answers: [String]) -> Query {
        Query(answers: answers.compactMap(ids(of:)))
    }

    /// Passages (increasing numbers) that contain the normalised `answer` as whole tokens. An answer that
    /// normalises to nothing (such as "the") is contained nowhere.
    public func passages(containing answer: String) -> [Int] {
        passages(containing: query([answer]))
    }

    /// Passages that contain any of the answers (increasing, without repeats).
    public func passages(containingAny answers: [String]) -> [Int] {
        passages(containing: query(answers))
    }

    /// Passages that contain any of the query's answers (increasing, without repeats).
    public func passages(containing query: Query) -> [Int] {
        if query.answers.count == 1 { return passages(containingRun: query.answers[0]) }
        var all = Set<Int>()
        for answer in query.answers { all.formUnion(passages(containingRun: answer)) }
        return all.sorted()
    }

    /// Whether passage `passage` contains any of the answers as whole normalised tokens.
    public func passage(_ passage: Int, containsAny answers: [String]) -> Bool {
        self.passage(passage, contains: query(answers))
    }

    /// Whether passage `passage` contains any of the query's answers.
    public func passage(_ passage: Int, contains query: Query) -> Bool {
        let range = passageStarts[passage]..<passageStarts[passage + 1]
        return query.answers.contains { AnswerContainment.containsRun(tokens[range], $0) }
    }

    /// Checks the run only where its rarest token occurs.
    private func passages(containingRun query: [Int32]) -> [Int] {
        let anchor = query.indices.min { frequency(query[$0]) < frequency(query[$1]) }!
        var found: [Int] = []
        for posting in postings[postingStarts[Int(query[anchor])]..<postingStarts[Int(query[anchor]) + 1]] {
            let start = Int(posting) - anchor
            let passage = Int(passageOfPosition[Int(posting)])
            if found.last == passage { continue }
            guard start >= passageStarts[passage], start + query.count <= passageStarts[passage + 1] else { continue }
            if tokens[start..<(start + query.count)].elementsEqual(query) { found.append(passage) }
        }
        return found
    }

    /// The interned ids of the answer's tokens; nil when empty or when a token never occurs in any passage.
    private func ids(of answer: String) -> [Int32]? {
        let words = AnswerNormalization.tokens(answer)
        guard !words.isEmpty else { return nil }
        var ids: [Int32] = []
        ids.reserveCapacity(words.count)
        for word in words {
            guard let id = vocabulary[word] else { return nil }
            ids.append(id)
        }
        return ids
    }

    private func frequency(_ id: Int32) -> Int { postingStarts[Int(id) + 1] - postingStarts[Int(id)] }
}

/// Whole-token containment on already normalised token arrays, for one-off checks.
public enum AnswerContainment {
    /// Whether the normalised `passage` contains the normalised `answer` as a run of whole tokens.
    public static func contains(passage: String, answer: String) -> Bool {
        let answerTokens = AnswerNormalization.tokens(answer)
        return !answerTokens.isEmpty && containsRun(AnswerNormalization.tokens(passage)[...], answerTokens)
    }

    /// Whether `run` occurs contiguously in `tokens` (an empty run never does).
    public static func containsRun<T: Equatable>(_ tokens: ArraySlice<T>, _ run: [T]) -> Bool {
        guard !run.isEmpty, tokens.count >= run.count else { return false }
        var start = tokens.startIndex
        while start + run.count <= tokens.endIndex {
            if tokens[start] == run[0] && tokens[start..<(start + run.count)].elementsEqual(run) { return true }
            start += 1
        }
        return false
    }
}
