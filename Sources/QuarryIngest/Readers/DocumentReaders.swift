import Foundation

/// The input formats `quarry ingest --format` accepts.
public enum IngestFormat: String, CaseIterable, Sendable {
    /// Decided from the input: a directory is text, otherwise the first bytes decide.
    case auto
    case mediawiki, trec, jats, xml, text, jsonl
}

/// Settings the readers share; each reader takes the ones that concern it.
public struct ReaderOptions: Sendable {
    /// MediaWiki namespaces to keep.
    public var namespaces: Set<Int> = [0]
    /// Skip bad records, reporting them, instead of stopping.
    public var keepGoing = false
    /// Element names for generic XML.
    public var documentElement: String?
    public var titleElement: String?
    public var textElements: [String] = []
    public var idElement: String?

    public init() {}
}

/// Opens the right reader for an input.
public enum DocumentReaders {
    /// A reader for `url` in `format` (`.auto`: sniffed). Missing, unreadable and empty inputs are errors
    /// naming the path.
    public static func open(url: URL, format: IngestFormat, options: ReaderOptions) throws -> DocumentReader {
        let resolved = try resolve(format, for: url)
        switch resolved {
        case .jsonl:
            return try JSONLReader(url: url, keepGoing: options.keepGoing)
        case .text:
            return try TextReader(url: url, keepGoing: options.keepGoing)
        case .mediawiki, .trec, .jats, .xml, .auto:
            throw IngestError(file: url.path, place: "", message: "the \(resolved.rawValue) reader is not part of this build")
        }
    }

    /// Size of the input on disk (all files of a directory), for the ETA.
    public static func inputSize(_ url: URL) -> Int64? {
        TextReader.totalBytes(at: url)
    }

    /// The concrete format for `url`: `format` itself unless it is `.auto`.
    public static func resolve(_ format: IngestFormat, for url: URL) throws -> IngestFormat {
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
        let head = try firstBytes(of: url, count: 4096)
        guard !head.isEmpty else { throw IngestError(file: url.path, place: "", message: "file is empty") }
        guard format == .auto else { return format }
        let firstSignificant = head.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        switch firstSignificant {
        case UInt8(ascii: "{"): return .jsonl
        case UInt8(ascii: "<"): return .xml
        default: return .text
        }
    }

    private static func firstBytes(of url: URL, count: Int) throws -> [UInt8] {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw IngestError(file: url.path, place: "", message: "cannot read: \(error.localizedDescription)")
        }
    }
}
