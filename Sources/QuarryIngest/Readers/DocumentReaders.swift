import Foundation

/// Settings the readers share; each reader takes the ones that concern it.
public struct ReaderOptions: Sendable {
    /// MediaWiki namespaces to keep.
    public var namespaces: Set<Int> = [0]
    /// Skip bad records, reporting them, instead of stopping.
    public var keepGoing = false
    /// Element names for generic XML (`documentElement` is required for that format).
    public var documentElement: String?
    public var titleElement: String?
    public var textElements: [String] = []
    public var idElement: String?

    public init() {}
}

/// Opens the right reader for an input.
public enum DocumentReaders {
    /// A reader for `url` in `format` (`.auto`: a directory is read as text files, a file is judged from
    /// its first decompressed bytes). Missing, unreadable, empty and binary inputs are errors naming the path.
    public static func open(url: URL, format: DocumentFormat, options: ReaderOptions) throws -> DocumentReader {
        switch try resolve(format, for: url) {
        case .jsonl:
            return try JSONLReader(url: url, keepGoing: options.keepGoing)
        case .text, .auto:
            return try TextReader(url: url, keepGoing: options.keepGoing)
        case .mediawiki:
            return try MediaWikiDumpReader(url: url, namespaces: options.namespaces, keepGoing: options.keepGoing)
        case .trec:
            return try TRECReader(url: url, keepGoing: options.keepGoing)
        case .jats:
            return try JATSReader(url: url)
        case .xml:
            guard let element = options.documentElement else {
                throw IngestError(file: url.path, place: "",
                                  message: "generic XML needs --doc-element (and usually --title-element, --text-element)")
            }
            return try GenericXMLReader(url: url, documentElement: element, titleElement: options.titleElement,
                                        textElements: options.textElements, idElement: options.idElement)
        }
    }

    /// Size of the input on disk (all files of a directory), for the ETA.
    public static func inputSize(_ url: URL) -> Int64? {
        TextReader.totalBytes(at: url)
    }

    /// The concrete format for `url`: `format` itself unless it is `.auto`.
    public static func resolve(_ format: DocumentFormat, for url: URL) throws -> DocumentFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw IngestError(file: url.path, place: "", message: "no such file or directory")
        }
        if isDirectory.boolValue {
            guard format == .auto || format == .text else {
                throw IngestError(file: url.path, place: "", message: "is a directory; only --format text reads directories")
            }
            return .text
        }
        let detected = try DocumentFormat.detect(url: url)
        return format == .auto ? detected : format
    }
}
