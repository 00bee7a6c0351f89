/// Where a gold answer occurs in a passage by normalised whole-token match: the spans distant supervision
/// teaches the reader.
public enum AnswerSpans {
    /// UTF-8 ranges in `passage` of every occurrence of any of `answers` as a run of whole normalised tokens,
    /// in passage order (an occurrence of two answers at one place is given once).
    public static func locate(_ answers: [String], in passage: String) -> [Range<Int>] {
        let queries = answers.map(AnswerNormalization.tokens).filter { !$0.isEmpty }
        guard !queries.isEmpty else { return [] }
        let tokens = AnswerNormalization.tokensWithOffsets(passage)
        var spans: [Range<Int>] = []
        for start in tokens.indices {
            for query in queries where start + query.count <= tokens.count {
                if zip(tokens[start..<(start + query.count)], query).allSatisfy({ $0.token == $1 }) {
                    let span = tokens[start].utf8Range.lowerBound..<tokens[start + query.count - 1].utf8Range.upperBound
                    if !spans.contains(span) { spans.append(span) }
                }
            }
        }
        return spans.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
    }
}

extension String {
    /// The UTF-8 offset of the Unicode scalar at `scalarOffset` (SQuAD's `answer_start` counts scalars).
    public func utf8Offset(ofScalarOffset scalarOffset: Int) -> Int {
        let index = unicodeScalars.index(unicodeScalars.startIndex, offsetBy: scalarOffset)
        return utf8.distance(from: utf8.startIndex, to: index)
    }
}
