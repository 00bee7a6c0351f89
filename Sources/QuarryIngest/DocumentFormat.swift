import Foundation

/// The formats ingestion reads; `auto` asks `DocumentFormat.detect` to look at the file.
public enum DocumentFormat: String, CaseIterable, Sendable {
    case auto, mediawiki, trec, jats, xml, text, jsonl

    /// How many decompressed bytes detection looks at.
    static let sniffLength = 64 << 10

    /// The format of a file judged from its first decompressed bytes (after a byte-order mark, the XML
    /// declaration, comments and a DOCTYPE): `<mediawiki` → mediawiki, `<DOC`/`<doc` → trec, `<article`,
    /// `<pmc-articleset`, `<PubmedArticleSet` → jats, another element → xml, `{` starting a line → jsonl,
    /// else text. Throws for a missing, empty or binary file, naming it.
    public static func detect(url: URL) throws -> DocumentFormat {
        let source = try ByteSource(url: url)
        var prefix = [UInt8](repeating: 0, count: sniffLength)
        var count = 0
        try prefix.withUnsafeMutableBufferPointer { buffer in
            while count < sniffLength {
                let read = try source.read(into: buffer.baseAddress! + count, capacity: sniffLength - count)
                if read == 0 { break }
                count += read
            }
        }
        prefix.removeLast(sniffLength - count)
        return try detect(prefix: prefix, file: url.path)
    }

    /// Detection on bytes already read; `file` names the source in errors.
    public static func detect(prefix raw: [UInt8], file: String) throws -> DocumentFormat {
        guard !raw.isEmpty else { throw IngestError(file: file, place: "", message: "empty file") }
        let bytes = asciiView(raw)
        if let zero = bytes.firstIndex(of: 0) {
            throw IngestError(file: file, place: "byte \(zero)", message: "binary data (a NUL byte), not text or XML")
        }
        var index = 0
        skipProlog(bytes, &index)
        if index < bytes.count, bytes[index] == ASCII.less {
            let name = elementName(bytes, index + 1)
            switch name {
            case "mediawiki": return .mediawiki
            case "doc", "DOC": return .trec
            case "article", "pmc-articleset", "PubmedArticleSet", "PubmedArticle": return .jats
            case "": break
            default: return .xml
            }
        }
        var lineStart = true
        for byte in bytes {
            if lineStart && byte == ASCII.openBrace { return .jsonl }
            if byte == ASCII.newline { lineStart = true } else if byte != ASCII.space && byte != ASCII.tab { lineStart = false }
            if !lineStart && byte != ASCII.openBrace { break }
        }
        return .text
    }

    /// UTF-16 (told by its byte-order mark) reduced to one byte per code unit, enough to read markup.
    private static func asciiView(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes.dropFirst(3)) }
        let little = bytes.starts(with: [0xFF, 0xFE]), big = bytes.starts(with: [0xFE, 0xFF])
        guard little || big else { return bytes }
        var result: [UInt8] = []
        var index = 2
        while index + 1 < bytes.count {
            let (low, high) = little ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            result.append(high == 0 ? low : 0x3F)
            index += 2
        }
        return result
    }

    /// Past white space, `<?…?>`, `<!--…-->` and `<!DOCTYPE …>` (with an internal subset).
    private static func skipProlog(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.space || byte == ASCII.newline || byte == ASCII.tab || byte == 0x0D { index += 1; continue }
            guard byte == ASCII.less, index + 1 < bytes.count else { return }
            let next = bytes[index + 1]
            if next == 0x3F {
                index = find([0x3F, ASCII.greater], in: bytes, from: index) ?? bytes.count
            } else if next == ASCII.bang, bytes[index...].starts(with: Array("<!--".utf8)) {
                index = find(Array("-->".utf8), in: bytes, from: index) ?? bytes.count
            } else if next == ASCII.bang {
                var depth = 0
                while index < bytes.count {
                    if bytes[index] == ASCII.openBracket { depth += 1 }
                    if bytes[index] == ASCII.closeBracket { depth -= 1 }
                    if bytes[index] == ASCII.greater && depth <= 0 { break }
                    index += 1
                }
                index += 1
            } else {
                return
            }
        }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + pattern.count <= bytes.count {
            if bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index + pattern.count }
            index += 1
        }
        return nil
    }

    /// The element name at `start` without a namespace prefix, or "" when none.
    private static func elementName(_ bytes: [UInt8], _ start: Int) -> String {
        var end = start
        while end < bytes.count, isASCIILetter(bytes[end]) || (bytes[end] >= 0x30 && bytes[end] <= 0x39)
                || bytes[end] == ASCII.dash || bytes[end] == ASCII.underscore || bytes[end] == 0x2E || bytes[end] == ASCII.colon {
            end += 1
        }
        let name = String(decoding: bytes[start..<end], as: UTF8.self)
        return name.split(separator: ":").last.map(String.init) ?? ""
    }
}
