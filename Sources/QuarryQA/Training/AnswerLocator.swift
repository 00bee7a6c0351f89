import QuarryText

/// Finds gold answers in passage text for distant supervision, as UTF-8 ranges of the text.
public enum AnswerLocator {
    /// Every place where an answer occurs as whole words after SQuAD normalisation (so "the Eiffel Tower"
    /// matches "Eiffel tower," in a passage). A match covers whole whitespace-separated words of the
    /// passage, then drops ASCII punctuation at either end ("(1889)," gives "1889").
    public static func occurrences(of answers: [String], in text: String) -> [Range<Int>] {
        let runs = answers.map(AnswerNormalization.tokens).filter { !$0.isEmpty }
        guard !runs.isEmpty else { return [] }
        let words = whitespaceWords(text)
        var tokens: [String] = [], owners: [Int] = []
        for (w, range) in words.enumerated() {
            for token in AnswerNormalization.tokens(String(text.substring(utf8Offsets: range))) {
                tokens.append(token)
                owners.append(w)
            }
        }
        var found = Set<Range<Int>>()
        let utf8 = Array(text.utf8)
        for run in runs where run.count <= tokens.count {
            for start in 0...(tokens.count - run.count) where tokens[start] == run[0] {
                guard tokens[start..<(start + run.count)].elementsEqual(run) else { continue }
                let lower = words[owners[start]].lowerBound, upper = words[owners[start + run.count - 1]].upperBound
                if let trimmed = trimPunctuation(lower..<upper, utf8) { found.insert(trimmed) }
            }
        }
        return found.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
    }

    /// The UTF-8 range of `answer` placed at Unicode-scalar offset `scalarOffset` of `text` (SQuAD's
    /// `answer_start`), when the text there is the answer.
    public static func range(of answer: String, atScalarOffset scalarOffset: Int, in text: String) -> Range<Int>? {
        let scalars = text.unicodeScalars
        let count = answer.unicodeScalars.count
        guard scalarOffset >= 0, count > 0, let start = scalars.index(scalars.startIndex, offsetBy: scalarOffset, limitedBy: scalars.endIndex),
              let end = scalars.index(start, offsetBy: count, limitedBy: scalars.endIndex),
              String(scalars[start..<end]) == answer else { return nil }
        let lower = text.utf8.distance(from: text.utf8.startIndex, to: start)
        return lower..<(lower + text.utf8.distance(from: start, to: end))
    }

    /// The places of a SQuAD example's answers in its own paragraph: the `answer_start` positions when they
    /// check out, else a normalised whole-word match.
    public static func goldRanges(answers: [String], answerStarts: [Int], in context: String) -> [Range<Int>] {
        var ranges = Set<Range<Int>>()
        if answerStarts.count == answers.count {
            for (answer, start) in zip(answers, answerStarts) {
                if let range = range(of: answer, atScalarOffset: start, in: context) { ranges.insert(range) }
            }
        }
        if ranges.isEmpty { return occurrences(of: answers, in: context) }
        return ranges.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
    }

    /// UTF-8 ranges of the runs of non-whitespace characters.
    static func whitespaceWords(_ text: String) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int? = nil
        var offset = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            if scalar.properties.isWhitespace {
                if let s = start { words.append(s..<offset); start = nil }
            } else if start == nil {
                start = offset
            }
            offset += width
        }
        if let s = start { words.append(s..<offset) }
        return words
    }

    private static func trimPunctuation(_ range: Range<Int>, _ utf8: [UInt8]) -> Range<Int>? {
        func isPunctuation(_ b: UInt8) -> Bool {
            (0x21...0x2F).contains(b) || (0x3A...0x40).contains(b) || (0x5B...0x60).contains(b) || (0x7B...0x7E).contains(b)
        }
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper && isPunctuation(utf8[lower]) { lower += 1 }
        while upper > lower && isPunctuation(utf8[upper - 1]) { upper -= 1 }
        return lower < upper ? lower..<upper : nil
    }
}
