import Foundation
import QuarryIngest

/// The regular files of a (possibly compressed) tar archive, read through `ByteSource`; enough of the
/// ustar format for the test data (names up to 100 bytes plus the ustar prefix).
enum TarArchive {
    static func files(at url: URL) throws -> [(name: String, contents: [UInt8])] {
        let bytes = try ByteSource(url: url).readAll()
        var files: [(String, [UInt8])] = []
        var offset = 0
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            let name = field(header, 0, 100)
            let prefix = field(header, 345, 155)
            let size = Int(field(header, 124, 12).trimmingCharacters(in: .whitespaces), radix: 8) ?? 0
            let type = header[header.startIndex + 156]
            let start = offset + 512
            if type == 0x30 || type == 0 {
                files.append((prefix.isEmpty ? name : prefix + "/" + name, Array(bytes[start..<(start + size)])))
            }
            offset = start + (size + 511) / 512 * 512
        }
        return files
    }

    private static func field(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> String {
        let slice = header[(header.startIndex + start)..<(header.startIndex + start + length)]
        return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
    }
}
