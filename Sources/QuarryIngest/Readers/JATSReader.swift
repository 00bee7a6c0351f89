import Foundation

/// Scientific articles: JATS / NLM full text (PMC `.nxml`, `<article>`, also inside `<pmc-articleset>`)
/// and PubMed efetch citations (`<PubmedArticleSet>`, one document per `<PubmedArticle>`). Title,
/// abstract and body paragraphs by section; references, tables, figures and formulas left out. The
/// DTDs these files declare are never fetched.
public final class JATSReader: DocumentReader {
    public let url: URL
    public private(set) var skipped: [SkipReason: Int] = [:]
    public var bytesRead: Int64 { source.compressedBytesRead }

    private let source: ByteSource
    private let stream: XMLStream
    private var positioned = false
    /// True when the stream stands on an expanded record still to be skipped. Skipping is deferred to
    /// the next call so that a parse error further on never withholds a record already complete.
    private var expanded = false
    private var records = 0

    /// Not prose, or not the article's own prose.
    static let leftOut: Set<String> = [
        "title", "label", "table-wrap", "table", "fig", "disp-formula", "inline-formula", "math", "tex-math",
        "supplementary-material", "ref-list", "graphic", "media", "alternatives", "object-id",
    ]
    /// Elements whose text ends with a break, so words of neighbouring blocks do not run together.
    static let blocks: Set<String> = ["p", "list-item", "title", "AbstractText", "def-item", "disp-quote", "sec"]

    public init(url: URL) throws {
        self.url = url
        source = try ByteSource(url: url)
        stream = try XMLStream(source: source)
        try expectRoot()
    }

    private func expectRoot() throws {
        while try stream.read() {
            guard stream.isElementStart else { continue }
            let root = stream.localName
            guard ["article", "pmc-articleset", "PubmedArticleSet", "PubmedArticle"].contains(root) else {
                throw stream.error("not JATS or PubMed XML: the root element is <\(root)>")
            }
            positioned = true
            return
        }
        throw IngestError(file: url.path, place: "", message: "empty file: no XML elements")
    }

    public func next() throws -> SourceDocument? {
        while try advance() {
            guard stream.isElementStart else { continue }
            let isArticle = stream.nameIs("article"), isCitation = stream.nameIs("PubmedArticle")
            guard isArticle || isCitation else { continue }
            let record = try stream.expand()
            let line = record.line
            let document = isArticle ? article(record, line: line) : citation(record, line: line)
            records += 1
            expanded = true
            if let document { return document }
            skipped[.empty, default: 0] += 1
        }
        if records == 0 { throw IngestError(file: url.path, place: "", message: "no <article> or <PubmedArticle> records found") }
        return nil
    }

    private func advance() throws -> Bool {
        if positioned { positioned = false; return true }
        if expanded { expanded = false; return try stream.skipSubtree() }
        return try stream.read()
    }

    // MARK: JATS

    private func article(_ article: XMLNode, line: Int) -> SourceDocument? {
        let meta = article.firstElement(named: "front")?.firstElement(named: "article-meta")
        let title = meta?.firstElement(named: "title-group")?.firstElement(named: "article-title").map { normalisedSpace($0.text()) } ?? ""
        var sections: [String] = []
        for abstract in meta?.elements.filter({ $0.nameIs("abstract") }) ?? [] {
            let kind = abstract.attribute("abstract-type") ?? ""
            if ["graphical", "toc", "teaser"].contains(kind) { continue }
            sections.append(blockText(abstract, skipping: Self.leftOut))
        }
        if let body = article.firstElement(named: "body") { sections += bodySections(body) }
        sections = sections.filter { !$0.isEmpty }
        guard !sections.isEmpty || !title.isEmpty, !sections.isEmpty else { return nil }
        return SourceDocument(externalID: articleID(meta), title: title, sections: sections, location: "line \(line)")
    }

    /// PMID, else PMC id, else DOI, else the file name.
    private func articleID(_ meta: XMLNode?) -> String {
        let ids = meta?.elements.filter { $0.nameIs("article-id") } ?? []
        for kind in ["pmid", "pmc", "doi", "publisher-id"] {
            if let id = ids.first(where: { $0.attribute("pub-id-type") == kind }) {
                let value = id.text().trimmingSpaces
                if !value.isEmpty { return kind == "pmid" ? value : "\(kind):\(value)" }
            }
        }
        return url.lastPathComponent
    }

    /// One section per `<sec>` (its own paragraphs; nested sections follow as their own), plus the
    /// paragraphs standing directly in the body. Walked with an explicit stack.
    private func bodySections(_ body: XMLNode) -> [String] {
        var sections: [String] = []
        var stack: [XMLNode] = [body]
        while let node = stack.popLast() {
            let children = node.elements
            sections.append(blockText(node, skipping: Self.leftOut.union(["sec"])))
            stack.append(contentsOf: children.filter { $0.nameIs("sec") }.reversed())
        }
        return sections
    }

    // MARK: PubMed

    private func citation(_ record: XMLNode, line: Int) -> SourceDocument? {
        guard let medline = record.firstElement(named: "MedlineCitation") else { return nil }
        let id = medline.firstElement(named: "PMID")?.text().trimmingSpaces ?? ""
        let article = medline.firstElement(named: "Article")
        let title = article?.firstElement(named: "ArticleTitle").map { normalisedSpace($0.text()) } ?? ""
        let parts = article?.firstElement(named: "Abstract")?.elements.filter { $0.nameIs("AbstractText") } ?? []
        let abstract = parts.map { part -> String in
            let text = normalisedSpace(part.text())
            guard let label = part.attribute("Label"), !label.isEmpty else { return text }
            return "\(label.capitalized): \(text)"
        }.joined(separator: "\n")
        guard !abstract.isEmpty else { return nil }
        return SourceDocument(externalID: id.isEmpty ? url.lastPathComponent : id, title: title,
                              sections: [abstract], location: "line \(line)")
    }

    /// The element's text with block elements on their own lines and spaces collapsed.
    private func blockText(_ node: XMLNode, skipping: Set<String>) -> String {
        var bytes: [UInt8] = []
        node.appendText(to: &bytes, skipping: skipping, separator: Self.blocks)
        return normalisedSpace(String(decoding: bytes, as: UTF8.self))
    }
}
