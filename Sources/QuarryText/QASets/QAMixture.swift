import Foundation

/// One QA set of a mixture and its weight, written `PATH` or `PATH:WEIGHT` (`squad-dev.json:2`).
public struct QAMixturePart: Equatable, Sendable {
    public var path: String
    /// How many times each question counts in one pass over the mixture (fractions take an even share).
    public var weight: Double

    public init(path: String, weight: Double = 1) {
        self.path = path
        self.weight = weight
    }

    /// Reads `PATH:WEIGHT`; a suffix that is not a number is part of the path. Nil for a weight ≤ 0.
    public init?(parsing text: String) {
        if let colon = text.lastIndex(of: ":"), let weight = Double(text[text.index(after: colon)...]) {
            guard weight > 0, weight.isFinite, colon > text.startIndex else { return nil }
            self.init(path: String(text[..<colon]), weight: weight)
        } else {
            self.init(path: text)
        }
    }
}

/// Several QA sets trained on together. A set of weight w puts each of its questions in ⌊w⌋ times and an
/// evenly spread share w − ⌊w⌋ of them once more, so a small set can be seen as often as a large one without
/// sampling noise; ids are prefixed with the set's position when there are several, so they stay unique.
public enum QAMixture {
    public static func mix(_ sets: [(examples: [QAExample], weight: Double)]) -> [QAExample] {
        var mixed: [QAExample] = []
        for (position, set) in sets.enumerated() {
            let whole = Int(set.weight.rounded(.down))
            let examples = sets.count == 1 ? set.examples : set.examples.map { example in
                var example = example
                example.id = "\(position + 1)/\(example.id)"
                return example
            }
            for _ in 0..<whole { mixed += examples }
            mixed += evenShare(examples, share: set.weight - Double(whole))
        }
        return mixed
    }

    /// A share of `examples` spread evenly over the list (every 1/share-th one), in order.
    public static func evenShare(_ examples: [QAExample], share: Double) -> [QAExample] {
        guard share > 0 else { return [] }
        // Element i is taken when ⌊(i+1)·share⌋ passes an integer: exactly ⌊n·share⌋ of them, evenly apart.
        return examples.indices.filter { i in
            (Double(i + 1) * share).rounded(.down) > (Double(i) * share).rounded(.down)
        }.map { examples[$0] }
    }

    /// The questions plus, for an even `share` of them, a search-style copy (`QuestionStyle.search`) under the
    /// id `ID#search`: a reader trained on SQuAD's written questions meets users' keyword queries.
    public static func withSearchStyleVariants(_ examples: [QAExample], share: Double) -> [QAExample] {
        examples + evenShare(examples, share: min(share, 1)).compactMap { example in
            var variant = example
            variant.question = QuestionStyle.search.apply(to: example.question)
            guard variant.question != example.question else { return nil }
            variant.id += "#search"
            return variant
        }
    }
}

/// How a question is phrased: as written (SQuAD's crowd workers), or as typed into a search engine (Natural
/// Questions: lower case, no question mark).
public enum QuestionStyle: String, CaseIterable, Sendable {
    case asked, search

    public func apply(to question: String) -> String {
        switch self {
        case .asked:
            return question
        case .search:
            let words = question.lowercased().replacingOccurrences(of: "?", with: " ")
                .split(whereSeparator: \.isWhitespace)
            return words.joined(separator: " ")
        }
    }
}
