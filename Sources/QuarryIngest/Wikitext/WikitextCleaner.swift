/// One stretch of cleaned article text, ended by a heading (or the end of the page).
public struct WikitextSection: Equatable, Sendable {
    /// The heading that opened the section; nil for the lead section before the first heading.
    public var heading: String?
    /// Plain text: paragraphs separated by "\n", no markup.
    public var text: String

    public init(heading: String?, text: String) {
        self.heading = heading
        self.text = text
    }
}

/// Turns MediaWiki wikitext into plain-text sections: templates, tables, references, comments, media,
/// category and interlanguage links, magic words and HTML tags go; link labels, external link labels,
/// list items and the text of formatting tags stay; headings split sections. Works on UTF-8 bytes in
/// a few linear passes, with explicit stacks instead of recursion, so any nesting depth is safe.
public struct WikitextCleaner: Sendable {
    /// Namespace names (lower case) whose links are media: dropped with their captions.
    public var fileNamespaces: Set<String>
    /// Namespace names (lower case) whose links only categorise the page: dropped.
    public var categoryNamespaces: Set<String>

    public static let defaultFileNamespaces: Set<String> = [
        "file", "image", "media", "datei", "bild", "fichier", "archivo", "imagen", "immagine", "ficheiro",
        "файл", "изображение", "plik", "bestand", "fil", "tiedosto", "soubor", "attēls", "fails",
    ]
    public static let defaultCategoryNamespaces: Set<String> = [
        "category", "kategorie", "catégorie", "categoría", "categoria", "категория", "kategoria",
        "categorie", "kategori", "luokka", "kategorija", "kategoreja",
    ]

    /// - Parameters: extra namespace names, e.g. the localised ones a dump's `<siteinfo>` declares for
    ///   namespaces 6 (File) and 14 (Category).
    public init(fileNamespaces: [String] = [], categoryNamespaces: [String] = []) {
        self.fileNamespaces = WikitextCleaner.defaultFileNamespaces
            .union(fileNamespaces.map(WikitextCleaner.namespaceKey))
        self.categoryNamespaces = WikitextCleaner.defaultCategoryNamespaces
            .union(categoryNamespaces.map(WikitextCleaner.namespaceKey))
    }

    /// Sections of plain text, empty ones left out.
    public func clean(_ wikitext: String) -> [WikitextSection] {
        clean(utf8: Array(wikitext.utf8))
    }

    /// The same for UTF-8 bytes (as the dump reader has them), sparing a conversion.
    public func clean(utf8: [UInt8]) -> [WikitextSection] {
        var bytes = HTMLEntities.decode(utf8)
        bytes = WikitextTags.strip(bytes)
        bytes = WikitextTemplates.strip(bytes)
        bytes = WikitextLinks.strip(bytes, files: fileNamespaces, categories: categoryNamespaces)
        bytes = WikitextLinks.stripExternal(bytes)
        return WikitextLines.sections(bytes)
    }

    /// Lower case with underscores as spaces, as namespace prefixes are compared.
    static func namespaceKey(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "_", with: " ")
    }
}
