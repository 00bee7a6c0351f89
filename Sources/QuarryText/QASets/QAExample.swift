/// One question with its gold answers, from any QA-set format.
public struct QAExample: Sendable, Equatable {
    /// The file's id for the question, or `line N` / `row N` when the format has none.
    public var id: String
    /// The question text as written.
    public var question: String
    /// Gold answer strings, in file order (duplicates kept, as the official evaluation keeps them).
    public var answers: [String]
    /// SQuAD: the article title, when the file gives one.
    public var title: String?
    /// SQuAD: the article the question belongs to (its title, else its `document_id`, else its position),
    /// the unit to split train and test by.
    public var article: String?
    /// SQuAD: the paragraph the question was asked about.
    public var context: String?
    /// SQuAD: each answer's `answer_start` (Unicode scalar offset into `context`), aligned with `answers`
    /// when the file gives them all, else empty.
    public var answerStarts: [Int]

    public init(id: String, question: String, answers: [String], title: String? = nil, article: String? = nil,
                context: String? = nil, answerStarts: [Int] = []) {
        self.id = id
        self.question = question
        self.answers = answers
        self.title = title
        self.article = article
        self.context = context
        self.answerStarts = answerStarts
    }
}

/// The QA-set formats Quarry reads.
public enum QAFormat: String, Sendable, CaseIterable {
    /// SQuAD v1.1 / v2.0 JSON: `{"data": [{"title", "paragraphs": [{"context", "qas": [...]}]}]}`.
    case squad
    /// One JSON object a line with `question` and `answers` (or `answer`): a list or a single string.
    case jsonLines = "jsonl"
    /// Tab-separated: question, then answers as a JSON (or Python) list or `|`-separated.
    case tsv
    /// Comma-separated, RFC 4180 quoting, columns as for `tsv`.
    case csv
}

/// A QA set as read from a file, with what was left out.
public struct QASet: Sendable {
    /// The questions, in file order.
    public var examples: [QAExample]
    /// The format the file was read as.
    public var format: QAFormat
    /// SQuAD v2.0 questions marked `is_impossible` (or without answers): skipped.
    public var skippedUnanswerable: Int
    /// Malformed rows skipped because `keepGoing` was set.
    public var skippedMalformed: Int
    /// What was wrong with each skipped row (file, place, reason).
    public var problems: [QASetError]
}

/// A QA file that cannot be read, or one of its rows that is malformed; always names the file and the place.
public enum QASetError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    case malformed(path: String, place: String, reason: String)
    case unknownFormat(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot read (\(reason))"
        case let .malformed(path, place, reason): return "\(path):\(place): \(reason)"
        case let .unknownFormat(path, reason): return "\(path): unknown QA-set format (\(reason))"
        }
    }
}
