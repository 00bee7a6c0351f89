import Foundation

/// Reads plain-text documents: one file, or every file under a directory (recursively, in path order,
/// hidden files and folders left out), one document per file. The external id is the path relative to
/// the directory (the file name for a single file); the title is the file name without its extension.
/// Files may be compressed (gzip, bzip2, xz). Text must be UTF-8 (a leading byte-order mark is dropped); anything else is an error naming the byte
/// offset, and a NUL byte marks a binary file. With `keepGoing` such files are skipped as malformed.
public final class TextReader: DocumentReader, ProblemReporting {
    private let root: URL
    private var files: IndexingIterator<[(url: URL, relativePath: String)]>
    private let keepGoing: Bool
    public private(set) var skipped: [SkipReason: Int] = [:]
    public private(set) var problems: [IngestError] = []
    public private(set) var bytesRead: Int64 = 0
    /// The largest document (a text file, a JSONL line) read into memory; bigger ones are errors naming
    /// the file, so that memory stays bounded whatever the input. Far above any real article or book.
    public static let maximumDocumentBytes = 64 << 20

    public init(url: URL, keepGoing: Bool = false) throws {
        root = url
        self.keepGoing = keepGoing
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw IngestError(file: url.path, place: "", message: "no such file or directory")
        }
        files = (isDirectory.boolValue ? try Self.listFiles(under: url)
                                       : [(url, url.lastPathComponent)]).makeIterator()
    }

    /// Total size of the files to read, for the ETA.
    public static func totalBytes(at url: URL) -> Int64? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        let urls = isDirectory.boolValue ? ((try? listFiles(under: url)) ?? []).map(\.url) : [url]
        return urls.reduce(Int64(0)) { total, file in
            total + Int64((try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
    }

    public func next() throws -> SourceDocument? {
        while let file = files.next() {
            do {
                return try document(at: file.url, relativePath: file.relativePath)
            } catch let error as IngestError where keepGoing {
                skipped[.malformed, default: 0] += 1
                problems.append(error)
            }
        }
        return nil
    }

    private func document(at url: URL, relativePath: String) throws -> SourceDocument {
        // One document per file: the file is read whole (decompressed when compressed).
        let source = try ByteSource(url: url)
        let data = try Self.readBounded(source, path: url.path)
        bytesRead += source.compressedBytesRead
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let bomLength = data.count - bytes.count
        if let nul = bytes.firstIndex(of: 0) {
            throw IngestError(file: url.path, place: "byte \(nul)",
                              message: "NUL byte: this looks like a binary file, not text")
        }
        switch UTF8Check.decode(bytes) {
        case let .failure(invalid):
            throw IngestError(file: url.path, place: "byte \(invalid.offset + bomLength)", message: "invalid UTF-8")
        case let .success(text):
            let title = url.deletingPathExtension().lastPathComponent
            return SourceDocument(externalID: relativePath, title: title, sections: [text], location: url.path)
        }
    }

    /// The whole (decompressed) file, or an error once it passes `maximumDocumentBytes`.
    private static func readBounded(_ source: ByteSource, path: String) throws -> [UInt8] {
        var result: [UInt8] = []
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        defer { chunk.deallocate() }
        while true {
            let count = try source.read(into: chunk, capacity: 1 << 16)
            if count == 0 { return result }
            guard result.count + count <= maximumDocumentBytes else {
                throw IngestError(file: path, place: "byte \(maximumDocumentBytes)", message: "file longer than the "
                                  + "\(maximumDocumentBytes >> 20) MiB limit for one document; split it into smaller files")
            }
            result.append(contentsOf: UnsafeBufferPointer(start: chunk, count: count))
        }
    }

    private static func listFiles(under directory: URL) throws -> [(url: URL, relativePath: String)] {
        let base = directory.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw IngestError(file: directory.path, place: "", message: "cannot list directory")
        }
        var files: [(url: URL, relativePath: String)] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(base + "/") { relative.removeFirst(base.count + 1) }
            files.append((url, relative))
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }
}
