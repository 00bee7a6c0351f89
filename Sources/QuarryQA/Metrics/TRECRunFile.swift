import Foundation

/// Writes a TREC run file: `qid Q0 docid rank score tag` a line, each query's documents in the order given
/// (`DocumentRanking.trecOrder`, so trec_eval's re-sort keeps it) with ranks from 1. Scores are written in
/// full (shortest round-trip) precision so that rounding makes no ties trec_eval would break differently.
public final class TRECRunFile {
    public let path: String
    public let tag: String
    private let file: OutputFile

    public init(path: String, tag: String) throws {
        guard !tag.isEmpty, !tag.contains(where: \.isWhitespace) else {
            throw RunFileError(path: path, reason: "the run tag \"\(tag)\" must be one word")
        }
        self.path = path
        self.tag = tag
        file = try OutputFile(path: path)
    }

    public func write(query: String, ranking: [RankedDocument]) throws {
        var text = ""
        for (rank, document) in ranking.enumerated() {
            guard !document.documentID.contains(where: \.isWhitespace), !query.contains(where: \.isWhitespace) else {
                throw RunFileError(path: path, reason: "query \"\(query)\" or document \"\(document.documentID)\" contains a space: not writable as a TREC run")
            }
            text += "\(query) Q0 \(document.documentID) \(rank + 1) \(document.score) \(tag)\n"
        }
        try file.write(text)
    }

    /// Writes the rest and makes the file durable; a full disk shows here at the latest.
    public func close() throws { try file.close() }
}

/// A run that cannot be written as TREC's format.
public struct RunFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
