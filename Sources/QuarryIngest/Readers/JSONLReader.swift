import Foundation

/// Reads a JSONL corpus (plain or compressed) as BEIR and Pyserini ship them: one JSON object per line with `id` (or `_id`),
/// optional `title` and `text`; other fields are ignored, numeric ids are accepted as their decimal text,
/// blank lines are skipped. Errors name the file and line. With `keepGoing`, a bad line is counted as
/// malformed, remembered in `problems`, and reading goes on with the next line.
public final class JSONLReader: DocumentReader, ProblemReporting {
    private let path: String
    private let source: ByteChunkSource
    private let lines: LineSplitter
    private let keepGoing: Bool
    public private(set) var skipped: [SkipReason: Int] = [:]
    public private(set) var problems: [IngestError] = []

    /// Reads the file at `url`, plain or compressed (gzip, bzip2, xz: detected from its first bytes).
    public convenience init(url: URL, keepGoing: Bool = false) throws {
        try self.init(source: ByteSource(url: url), path: url.path, keepGoing: keepGoing)
    }

    /// Reads JSONL from any byte source (a decompressing one, say); `path` names it in errors.
    public init(source: ByteChunkSource, path: String, keepGoing: Bool = false) {
        self.path = path
        self.source = source
        self.keepGoing = keepGoing
        lines = LineSplitter(source: source, maximumLineLength: TextReader.maximumDocumentBytes)
    }

    public var bytesRead: Int64 { source.bytesConsumed }

    public func next() throws -> SourceDocument? {
        while let line = try lines.nextLine() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                return try document(from: line)
            } catch let error as IngestError where keepGoing {
                skipped[.malformed, default: 0] += 1
                problems.append(error)
            }
        }
        return nil
    }

    private func document(from line: [UInt8]) throws -> SourceDocument {
        let place = "line \(lines.lineNumber)"
        if lines.lastLineWasCut {
            throw IngestError(file: path, place: place, message: "line longer than the \(TextReader.maximumDocumentBytes >> 20) MiB "
                              + "limit for one document")
        }
        if case let .failure(invalid) = UTF8Check.decode(line) {
            throw IngestError(file: path, place: "\(place), byte \(lines.lineOffset + Int64(invalid.offset))",
                              message: "invalid UTF-8")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line))
        } catch {
            throw IngestError(file: path, place: place, message: "not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw IngestError(file: path, place: place, message: "expected a JSON object")
        }
        guard let id = identifier(fields["id"] ?? fields["_id"]) else {
            throw IngestError(file: path, place: place, message: "missing \"id\" (or \"_id\") string or number")
        }
        guard let text = fields["text"] as? String else {
            throw IngestError(file: path, place: place, message: "missing \"text\" string")
        }
        let title: String
        switch fields["title"] {
        case nil, is NSNull: title = ""
        case let value as String: title = value
        default: throw IngestError(file: path, place: place, message: "\"title\" is not a string")
        }
        // SQLite text ends at a NUL when read back, so "\u0000" would silently cut a string short (and make
        // ids that differ after it collide): refused in ids, a space in title and text.
        guard !id.utf8.contains(0) else {
            throw IngestError(file: path, place: place, message: "\"id\" contains a NUL character (\\u0000)")
        }
        return SourceDocument(externalID: id, title: Self.withoutNUL(title), sections: [Self.withoutNUL(text)], location: place)
    }

    private static func withoutNUL(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: " ") : text
    }

    private func identifier(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string.isEmpty ? nil : string
        case let number as NSNumber:
            return number.stringValue
        default: return nil
        }
    }
}
