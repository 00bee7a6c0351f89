import Foundation

/// TREC-style files: `<DOC>`/`<doc>` records one after another with no root element (as TIPSTER and
/// the Cranfield conversion ship them). Records are cut from the byte stream and parsed one at a time,
/// which gives the parser its root and lets `keepGoing` skip a broken record and carry on at the next.
/// DOCNO gives the external id, TITLE (or HEADLINE) the title, each TEXT element a section (all other
/// elements when there is no TEXT).
public final class TRECReader: DocumentReader {
    public let url: URL
    public let keepGoing: Bool
    public private(set) var skipped: [SkipReason: Int] = [:]
    public var bytesRead: Int64 { source.compressedBytesRead }

    private let source: ByteSource
    private let parser = XMLRecordParser()
    private var buffer: [UInt8] = []
    /// Start of the unexamined bytes in `buffer`, and the file line they start on.
    private var position = 0
    private var line = 1
    private var ended = false
    private var records = 0

    /// A record longer than this is taken for an unterminated one rather than read to the end of a dump.
    static let maximumRecordBytes = 64 << 20
    private static let chunk = 1 << 20
    static let identifierElements: Set<String> = ["docno", "docid"]
    static let titleElements: Set<String> = ["title", "headline", "head", "ti"]

    /// - Parameter keepGoing: count a record that fails to parse, or text between records, as
    ///   `.malformed` and resume at the next `<DOC>` instead of throwing.
    public init(url: URL, keepGoing: Bool = false) throws {
        self.url = url
        self.keepGoing = keepGoing
        source = try ByteSource(url: url)
    }

    public func next() throws -> SourceDocument? {
        while let (start, end, startLine) = try nextRecord() {
            let result = buffer.withUnsafeBufferPointer { parser.parse(UnsafeBufferPointer(rebasing: $0[start..<end]), name: url.path) }
            switch result {
            case .failure(let error):
                let place = "line \(startLine + error.line - 1), column \(error.column)"
                if !keepGoing { throw IngestError(file: url.path, place: place, message: "malformed <DOC> record: \(error.message)") }
                skipped[.malformed, default: 0] += 1
            case .success(let root):
                if let document = try document(from: root, line: startLine) { return document }
            }
        }
        if records == 0 {
            throw IngestError(file: url.path, place: "", message: ended && source.bytesProduced == 0 ? "empty file" : "no <DOC> records found")
        }
        return nil
    }

    private func document(from root: XMLNode, line: Int) throws -> SourceDocument? {
        let children = root.elements
        let id = children.first { Self.identifierElements.contains($0.name.lowercased()) }?.text().trimmingSpaces ?? ""
        guard !id.isEmpty else {
            if !keepGoing { throw IngestError(file: url.path, place: "line \(line)", message: "<DOC> record without <DOCNO>") }
            skipped[.malformed, default: 0] += 1
            return nil
        }
        let title = children.first { Self.titleElements.contains($0.name.lowercased()) }.map { normalisedSpace($0.text()) } ?? ""
        let texts = children.filter { $0.name.lowercased() == "text" }
        let bodies = texts.isEmpty
            ? children.filter { let name = $0.name.lowercased(); return !Self.identifierElements.contains(name) && !Self.titleElements.contains(name) }
            : texts
        let sections = bodies.map { normalisedSpace($0.text()) }.filter { !$0.isEmpty }
        guard !sections.isEmpty else { skipped[.empty, default: 0] += 1; return nil }
        return SourceDocument(externalID: id, title: title, sections: sections, location: "line \(line)")
    }

    // MARK: Cutting records

    /// The byte range of the next `<DOC>…</DOC>` in `buffer`, and its first line.
    private func nextRecord() throws -> (Int, Int, Int)? {
        while true {
            if let opening = findOpening() {
                try checkGap(upTo: opening)
                // From here the record starts at `position` (refilling moves it to the buffer's front).
                let startLine = line
                while true {
                    if let end = findClosing(from: position) {
                        let start = position
                        countLines(from: start, to: end)
                        position = end
                        records += 1
                        return (start, end, startLine)
                    }
                    if ended {
                        throw IngestError(file: url.path, place: "line \(startLine)", message: "<DOC> record never closed (the file ends inside it)")
                    }
                    if buffer.count - position > Self.maximumRecordBytes {
                        throw IngestError(file: url.path, place: "line \(startLine)", message: "<DOC> record longer than \(Self.maximumRecordBytes >> 20) MiB: not closed?")
                    }
                    try refill()
                }
            }
            if ended {
                try checkGap(upTo: buffer.count)
                return nil
            }
            // No record starts in what is buffered: check and drop it (all but a possible partial "<doc").
            try checkGap(upTo: max(position, buffer.count - 4))
            try refill()
        }
    }

    /// Only white space may stand between records; anything else is junk (counted with keepGoing).
    private func checkGap(upTo end: Int) throws {
        let gap = buffer[position..<end]
        if let junk = gap.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) {
            countLines(from: position, to: junk)
            if !keepGoing {
                throw IngestError(file: url.path, place: "line \(line)", message: "text outside a <DOC> record (is this a TREC file?)")
            }
            skipped[.malformed, default: 0] += 1
            countLines(from: junk, to: end)
        } else {
            countLines(from: position, to: end)
        }
        position = end
    }

    private func countLines(from start: Int, to end: Int) {
        guard end > start else { return }
        buffer.withUnsafeBufferPointer { bytes in
            var count = 0
            for index in start..<end where bytes[index] == ASCII.newline { count &+= 1 }
            line += count
        }
    }

    private func findOpening() -> Int? {
        buffer.withUnsafeBufferPointer { bytes in
            var index = position
            while index + 5 <= bytes.count {
                if bytes[index] == ASCII.less, bytes.matchesIgnoringCase("<doc", at: index),
                   [ASCII.greater, ASCII.space, ASCII.newline, ASCII.tab, 0x0D].contains(bytes[index + 4]) {
                    return index
                }
                index += 1
            }
            return nil
        }
    }

    /// Just past the `</doc>` closing the record opened at `start`.
    private func findClosing(from start: Int) -> Int? {
        buffer.withUnsafeBufferPointer { bytes in
            var index = start + 4
            while index + 6 <= bytes.count {
                if bytes[index] == ASCII.less, bytes.matchesIgnoringCase("</doc>", at: index) { return index + 6 }
                index += 1
            }
            return nil
        }
    }

    /// Drops consumed bytes and appends the next chunk of the file.
    private func refill() throws {
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        let old = buffer.count
        buffer.reserveCapacity(old + Self.chunk)
        var count = 0
        buffer.append(contentsOf: repeatElement(0, count: Self.chunk))
        try buffer.withUnsafeMutableBufferPointer { bytes in
            count = try source.read(into: bytes.baseAddress! + old, capacity: Self.chunk)
        }
        buffer.removeLast(Self.chunk - count)
        if count == 0 { ended = true }
    }
}

/// Runs of white space collapsed to single spaces, trimmed.
func normalisedSpace(_ text: String) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
}
