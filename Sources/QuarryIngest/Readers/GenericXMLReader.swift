import Foundation

/// Any XML file whose records the user names: each `documentElement` (wherever it stands, not nested in
/// another) is a document; its first `titleElement` gives the title, its first `idElement` (a child
/// element, or else an attribute of that name) the external id, and each `textElements` element a
/// section (all its text, minus title and id, when `textElements` is empty).
public final class GenericXMLReader: DocumentReader {
    public let url: URL
    public let documentElement: String
    public let titleElement: String?
    public let textElements: [String]
    public let idElement: String?
    public private(set) var skipped: [SkipReason: Int] = [:]
    public var bytesRead: Int64 { source.compressedBytesRead }

    private let source: ByteSource
    private let stream: XMLStream
    private var positioned = false
    /// True when the stream stands on an expanded record still to be skipped. Skipping is deferred to
    /// the next call so that a parse error further on never withholds a record already complete.
    private var expanded = false
    private var records = 0

    public init(url: URL, documentElement: String, titleElement: String?, textElements: [String], idElement: String?) throws {
        self.url = url
        self.documentElement = documentElement
        self.titleElement = titleElement
        self.textElements = textElements
        self.idElement = idElement
        source = try ByteSource(url: url)
        stream = try XMLStream(source: source)
    }

    public func next() throws -> SourceDocument? {
        while try advance() {
            guard stream.isElementStart, stream.localName == documentElement else { continue }
            let record = try stream.expand()
            let line = record.line
            records += 1
            let document = self.document(record, line: line)
            expanded = true
            if let document { return document }
            skipped[.empty, default: 0] += 1
        }
        if records == 0 {
            throw IngestError(file: url.path, place: "", message: source.bytesProduced == 0 ? "empty file" : "no <\(documentElement)> elements found")
        }
        return nil
    }

    private func advance() throws -> Bool {
        if positioned { positioned = false; return true }
        if expanded { expanded = false; return try stream.skipSubtree() }
        return try stream.read()
    }

    private func document(_ record: XMLNode, line: Int) -> SourceDocument? {
        let title = titleElement.flatMap { record.firstDescendant(named: $0) }.map { normalisedSpace($0.text()) } ?? ""
        let id = idElement.flatMap { name in record.firstDescendant(named: name).map { $0.text().trimmingSpaces } ?? record.attribute(name) }
        var sections: [String]
        if textElements.isEmpty {
            let skipping = Set([titleElement, idElement].compactMap { $0 })
            sections = [normalisedSpace(record.text(skipping: skipping))]
        } else {
            sections = textSections(record, names: Set(textElements))
        }
        sections = sections.filter { !$0.isEmpty }
        guard !sections.isEmpty else { return nil }
        return SourceDocument(externalID: id ?? String(records), title: title, sections: sections, location: "line \(line)")
    }

    /// The text of each element named in `names`, outermost only, in document order.
    private func textSections(_ record: XMLNode, names: Set<String>) -> [String] {
        var sections: [String] = []
        var stack: [XMLNode] = record.elements.reversed()
        while let node = stack.popLast() {
            if names.contains(node.name) { sections.append(normalisedSpace(node.text())); continue }
            stack.append(contentsOf: node.elements.reversed())
        }
        return sections
    }
}
