/// One document as a reader hands it over: already plain text, not yet split into passages.
public struct SourceDocument: Equatable, Sendable {
    /// Identifier within its source (a MediaWiki page id, a TREC DOCNO, a file's relative path, …).
    public var externalID: String
    public var title: String
    /// Plain-text sections in reading order; headings end a section. Passages never cross documents,
    /// but may cross sections.
    public var sections: [String]
    /// Where the document starts in its file ("line 120", "byte 5012"), for error messages.
    public var location: String

    public init(externalID: String, title: String, sections: [String], location: String = "") {
        self.externalID = externalID
        self.title = title
        self.sections = sections
        self.location = location
    }
}

/// Why a reader passed over a record without handing it out.
public enum SkipReason: String, CaseIterable, Sendable {
    case redirect
    case namespace
    case empty
    case malformed
}

/// A streaming source of documents: one file of one format. Readers never hold a whole file in memory.
public protocol DocumentReader: AnyObject {
    /// The next document, or nil at the end of the input. Throws `IngestError` on bad input, naming the
    /// file and the place; with `keepGoing` set, a bad record is counted as `.malformed` and skipped instead
    /// where the format allows resynchronising.
    func next() throws -> SourceDocument?
    /// Records passed over so far, by reason.
    var skipped: [SkipReason: Int] { get }
    /// Bytes of the file consumed so far (compressed bytes for compressed files), for progress and MB/s.
    var bytesRead: Int64 { get }
    /// The collection the input says its documents belong to, when it says one (known once the reader is
    /// open); nil lets the caller identify the documents by the input's path.
    var collection: DocumentCollection? { get }
}

extension DocumentReader {
    public var collection: DocumentCollection? { nil }
}

/// A collection named by the input itself, such as the wiki a MediaWiki dump exports. Its documents keep
/// their identity whatever the file is called, so next month's dump of the same wiki updates them.
public struct DocumentCollection: Equatable, Sendable {
    /// The source name documents are stored under ("mediawiki:enwiki").
    public var source: String
    /// What the name comes from, for people ("the dump's <dbname>").
    public var origin: String

    public init(source: String, origin: String) {
        self.source = source
        self.origin = origin
    }
}

/// A bad input, located.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// "line 12, column 7", "byte 40960", …
    public var place: String
    public var message: String

    public init(file: String, place: String, message: String) {
        self.file = file
        self.place = place
        self.message = message
    }

    public var description: String {
        place.isEmpty ? "\(file): \(message)" : "\(file): \(place): \(message)"
    }
}
