import GRDB

/// One stored passage: a window of its document's words, with the document's title.
public struct Passage: Equatable, Sendable, FetchableRecord {
    public var id: Int64
    public var documentID: Int64
    /// Position within the document, from 0.
    public var ordinal: Int
    public var title: String
    public var text: String

    public init(id: Int64, documentID: Int64, ordinal: Int, title: String, text: String) {
        self.id = id
        self.documentID = documentID
        self.ordinal = ordinal
        self.title = title
        self.text = text
    }

    public init(row: Row) {
        id = row[0]
        documentID = row[1]
        ordinal = row[2]
        title = row[3]
        text = row[4]
    }

    static let columns = "id, document_id, ordinal, title, text"
}

/// Documents and passages from one source (an input file or directory).
public struct SourceSummary: Equatable, Sendable {
    public var source: String
    public var documents: Int
    public var passages: Int
}
