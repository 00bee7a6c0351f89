import Foundation

/// Relevance judgements (qrels): for each query id, the grade of each judged document id.
///
/// Read from TREC qrels (`qid iteration docid grade`, whitespace-separated; the iteration column is ignored, as
/// trec_eval ignores it) or a BEIR qrels TSV (`query-id corpus-id score`, a header line first). Plain or gzip.
/// A document judged twice for one query keeps its last grade, as trec_eval does.
public struct RelevanceJudgements: Sendable, Equatable {
    /// grades[query id][document id] = grade; a grade ≥ `relevantGrade` counts as relevant.
    public var grades: [String: [String: Int]]

    /// trec_eval's default relevance level (`-l 1`): grade 1 and above is relevant, 0 (and below) judged not relevant.
    public static let relevantGrade = 1

    public init(grades: [String: [String: Int]] = [:]) {
        self.grades = grades
    }

    /// The documents judged relevant to `query`.
    public func relevant(to query: String) -> Set<String> {
        Set((grades[query] ?? [:]).filter { $0.value >= Self.relevantGrade }.keys)
    }

    /// Queries with at least one relevant document.
    public var queriesWithRelevant: Set<String> {
        Set(grades.filter { $0.value.values.contains { $0 >= Self.relevantGrade } }.keys)
    }

    /// Reads `url` as TREC qrels (four columns) or BEIR qrels (three columns, the first line a header when its
    /// grade column is not a number). Blank lines are skipped; any other line of the wrong shape is an error
    /// naming the file and line.
    public init(contentsOf url: URL) throws {
        let file = try CompressedTextFile(path: url.path)
        var grades: [String: [String: Int]] = [:]
        var columns: Int?
        while let line = try file.nextLine() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if fields.isEmpty { continue }
            let place = "line \(file.lineNumber)"
            guard fields.count == 3 || fields.count == 4 else {
                throw QASetError.malformed(path: url.path, place: place,
                                           reason: "expected `query-id 0 doc-id grade` (TREC) or `query-id doc-id grade` (BEIR), found \(fields.count) fields")
            }
            guard let grade = Int(fields[fields.count - 1]) else {
                if file.lineNumber == 1 && fields.count == 3 { continue }  // BEIR's `query-id corpus-id score` header
                throw QASetError.malformed(path: url.path, place: place, reason: "the grade \"\(fields[fields.count - 1])\" is not an integer")
            }
            if let columns, columns != fields.count {
                throw QASetError.malformed(path: url.path, place: place, reason: "\(fields.count) fields where earlier lines have \(columns)")
            }
            columns = fields.count
            grades[fields[0], default: [:]][fields[fields.count - 2]] = grade
        }
        guard !grades.isEmpty else { throw QASetError.malformed(path: url.path, place: "end of file", reason: "no judgements") }
        self.grades = grades
    }
}
