import Foundation

/// Pages of a MediaWiki XML export (schema 0.3–0.11; plain, bzip2 incl. multistream, gzip or xz; UTF-8
/// or UTF-16 with a byte-order mark), as cleaned plain-text documents. Redirects are skipped first, then
/// pages outside `namespaces`; both are counted in `skipped`.
public final class MediaWikiDumpReader: DocumentReader {
    public let url: URL
    public let namespaces: Set<Int>
    public let keepGoing: Bool
    public private(set) var skipped: [SkipReason: Int] = [:]
    /// Pages seen so far, whatever became of them.
    public private(set) var pagesRead = 0
    public var bytesRead: Int64 { source.compressedBytesRead }
    /// The wiki named by `<siteinfo><dbname>` ("mediawiki:enwiki"), when the dump has one before its
    /// first page. Page ids are unique within a wiki, so they identify documents across dumps.
    public private(set) var collection: DocumentCollection?

    private let source: ByteSource
    private let stream: XMLStream
    private var cleaner = WikitextCleaner()
    /// Namespace names from `<siteinfo>` (lower case) to keys, for schemas whose pages lack `<ns>`.
    private var namespaceKeys: [String: Int] = [:]
    /// True when the stream already stands on an unexamined node (the first page, once siteinfo was looked for).
    private var positioned = false
    /// True when the stream stands on an expanded record still to be skipped. Skipping is deferred to
    /// the next call so that a parse error further on never withholds a record already complete.
    private var expanded = false

    /// Opens the dump and checks that its root element is `<mediawiki>`.
    /// - Parameters:
    ///   - namespaces: the namespace numbers to keep (0: articles).
    ///   - keepGoing: count pages lacking a title or text as `.malformed` instead of throwing. Broken XML
    ///     still stops the reader: the parser cannot resynchronise inside one document.
    public init(url: URL, namespaces: Set<Int> = [0], keepGoing: Bool = false) throws {
        self.url = url
        self.namespaces = namespaces
        self.keepGoing = keepGoing
        source = try ByteSource(url: url)
        stream = try XMLStream(source: source)
        try expectRoot()
        try readLeadingSiteInfo()
    }

    private func expectRoot() throws {
        while try stream.read() {
            guard stream.isElementStart else { continue }
            guard stream.nameIs("mediawiki") else {
                throw stream.error("not a MediaWiki export: the root element is <\(stream.localName)>, not <mediawiki>")
            }
            return
        }
        throw IngestError(file: url.path, place: "", message: "empty file: no XML elements")
    }

    /// Reads `<siteinfo>` when it comes first, so the collection is known before any page is stored.
    private func readLeadingSiteInfo() throws {
        while try stream.read() {
            guard stream.isElementStart, stream.depth == 1 else { continue }
            guard stream.nameIs("siteinfo") else {
                positioned = true
                return
            }
            readSiteInfo(try stream.expand())
            expanded = true
            return
        }
    }

    public func next() throws -> SourceDocument? {
        while try advance() {
            guard stream.isElementStart, stream.depth == 1 else { continue }
            if stream.nameIs("siteinfo") {
                readSiteInfo(try stream.expand())
                expanded = true
            } else if stream.nameIs("page") {
                let page = try stream.expand()
                let line = page.line
                expanded = true
                if let document = try document(from: page, line: line) { return document }
            }
        }
        return nil
    }

    private func advance() throws -> Bool {
        if positioned { positioned = false; return true }
        if expanded { expanded = false; return try stream.skipSubtree() }
        return try stream.read()
    }

    /// Namespace names and keys; localised File (6) and Category (14) names teach the cleaner which
    /// links to drop.
    private func readSiteInfo(_ siteinfo: XMLNode) {
        if collection == nil, let name = siteinfo.firstElement(named: "dbname")?.text().trimmingSpaces, !name.isEmpty {
            collection = DocumentCollection(source: "mediawiki:\(name)", origin: "the dump's <dbname>")
        }
        guard let list = siteinfo.firstElement(named: "namespaces") else { return }
        var files: [String] = [], categories: [String] = []
        for namespace in list.elements where namespace.nameIs("namespace") {
            guard let key = namespace.attribute("key").flatMap({ Int($0) }) else { continue }
            let name = namespace.text().trimmingSpaces
            guard !name.isEmpty else { continue }
            namespaceKeys[WikitextCleaner.namespaceKey(name)] = key
            if key == 6 { files.append(name) }
            if key == 14 { categories.append(name) }
        }
        cleaner = WikitextCleaner(fileNamespaces: files, categoryNamespaces: categories)
    }

    /// The page as a document, or nil when it is skipped (the reason counted).
    private func document(from page: XMLNode, line: Int) throws -> SourceDocument? {
        pagesRead += 1
        let title = page.firstElement(named: "title")?.text().trimmingSpaces ?? ""
        let id = page.firstElement(named: "id")?.text().trimmingSpaces ?? ""
        // A full-history dump has many revisions; the last is the current text.
        let revision = page.elements.last { $0.nameIs("revision") }
        guard !title.isEmpty, let text = revision?.firstElement(named: "text") else {
            return try malformed("page without \(title.isEmpty ? "<title>" : "<revision><text>")", line: line)
        }
        let wikitext = text.textBytes()
        if page.firstElement(named: "redirect") != nil || isRedirect(wikitext) { return skip(.redirect) }
        let namespace = page.firstElement(named: "ns").flatMap { Int($0.text().trimmingSpaces) } ?? namespaceFromTitle(title)
        guard namespaces.contains(namespace) else { return skip(.namespace) }
        let sections = cleaner.clean(utf8: wikitext).map(\.text)
        guard !sections.isEmpty else { return skip(.empty) }
        return SourceDocument(externalID: id.isEmpty ? title : id, title: title, sections: sections, location: "line \(line)")
    }

    private func malformed(_ message: String, line: Int) throws -> SourceDocument? {
        guard keepGoing else { throw stream.error(message, line: line) }
        return skip(.malformed)
    }

    private func skip(_ reason: SkipReason) -> SourceDocument? {
        skipped[reason, default: 0] += 1
        return nil
    }

    /// "#REDIRECT [[…]]" in the text (any case, leading spaces allowed), for dumps without `<redirect>`.
    private func isRedirect(_ wikitext: [UInt8]) -> Bool {
        var utf8 = wikitext.prefix(200).drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 }
        guard utf8.first == ASCII.hash else { return false }
        utf8 = utf8.dropFirst()
        return utf8.prefix(8).map(lowerASCII).elementsEqual("redirect".utf8)
    }

    /// Old schemas (before 0.6) have no `<ns>`: the title's prefix names the namespace.
    private func namespaceFromTitle(_ title: String) -> Int {
        guard let colon = title.firstIndex(of: ":") else { return 0 }
        return namespaceKeys[WikitextCleaner.namespaceKey(String(title[..<colon]))] ?? 0
    }
}
