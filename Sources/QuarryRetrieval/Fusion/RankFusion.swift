/// A passage id with the score one retriever gave it (higher is better).
public struct ScoredID: Hashable, Sendable {
    public var id: Int
    public var score: Double

    public init(id: Int, score: Double) {
        self.id = id
        self.score = score
    }
}

/// Combines ranked lists from different retrievers (e.g. BM25 and dense) into one ranking.
/// Both methods break ties by the lower id, so the result is deterministic.
public enum RankFusion {
    /// Reciprocal rank fusion: each list adds 1 / (k + rank) for every id it holds (rank from 1).
    /// Scores of the inputs are ignored, only their order counts; `k` damps the weight of the top ranks.
    public static func reciprocalRank(_ lists: [[Int]], k: Double = 60, limit: Int? = nil) -> [ScoredID] {
        var fused = [Int: Double]()
        for list in lists {
            var seen = Set<Int>()
            for (position, id) in list.enumerated() where seen.insert(id).inserted {
                fused[id, default: 0] += 1 / (k + Double(position + 1))
            }
        }
        return ranked(fused, limit: limit)
    }

    /// Convex combination of min-max normalised scores: `weight · a + (1 − weight) · b`, where each list's
    /// scores are mapped to [0, 1] (a list whose scores are all equal maps them to 1) and an id missing
    /// from a list scores 0 there. Scores must be higher-is-better (negate BM25 values that are not).
    public static func interpolated(_ a: [ScoredID], _ b: [ScoredID], weight: Double = 0.5,
                                    limit: Int? = nil) -> [ScoredID] {
        precondition((0...1).contains(weight), "interpolation weight must lie in [0, 1]")
        var fused = [Int: Double]()
        for (list, share) in [(a, weight), (b, 1 - weight)] {
            for (id, value) in normalised(list) {
                fused[id, default: 0] += share * value
            }
        }
        return ranked(fused, limit: limit)
    }

    /// Min-max normalisation of one list; a repeated id keeps its best score. Non-finite scores are dropped.
    static func normalised(_ list: [ScoredID]) -> [Int: Double] {
        var best = [Int: Double]()
        for item in list where item.score.isFinite {
            best[item.id] = max(best[item.id] ?? -.infinity, item.score)
        }
        guard let low = best.values.min(), let high = best.values.max() else { return [:] }
        let span = high - low
        return best.mapValues { span > 0 ? ($0 - low) / span : 1 }
    }

    private static func ranked(_ scores: [Int: Double], limit: Int?) -> [ScoredID] {
        let all = scores.map { ScoredID(id: $0.key, score: $0.value) }
            .sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
        guard let limit else { return all }
        return Array(all.prefix(max(0, limit)))
    }
}
