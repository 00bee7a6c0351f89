import CZlib
import Foundation

/// A text file read through zlib, so a gzip file and a plain one read the same way, streamed by lines.
/// Errors are `QASetError.unreadable` naming the file.
public final class CompressedTextFile {
    public let path: String
    private let file: gzFile
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var finished = false
    /// The 1-based number of the line last returned.
    public private(set) var lineNumber = 0

    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw QASetError.unreadable(path: path, reason: "no such file")
        }
        guard let file = gzopen(path, "rb") else {
            throw QASetError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.file = file
    }

    deinit { gzclose(file) }

    /// Reads the next chunk into `pending`; false at the end.
    private func fill() throws -> Bool {
        guard !finished else { return false }
        let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
            throw QASetError.unreadable(path: path, reason: message)
        }
        if n == 0 { finished = true; return false }
        if pendingStart > 0 { pending.removeFirst(pendingStart); pendingStart = 0 }
        pending.append(contentsOf: buffer[0..<Int(n)])
        return true
    }

    /// The next line without its `\n` (or `\r\n`), nil at the end of the file.
    public func nextLine() throws -> String? {
        while true {
            if let newline = pending[pendingStart...].firstIndex(of: 0x0A) {
                var end = newline
                if end > pendingStart && pending[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: pending[pendingStart..<end], as: UTF8.self)
                pendingStart = newline + 1
                lineNumber += 1
                return line
            }
            if try !fill() {
                guard pendingStart < pending.count else { return nil }
                var end = pending.count
                if pending[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: pending[pendingStart..<end], as: UTF8.self)
                pendingStart = pending.count
                lineNumber += 1
                return line
            }
        }
    }

    /// Everything left in the file.
    public func readRemaining() throws -> Data {
        while try fill() {}
        let data = Data(pending[pendingStart...])
        pendingStart = pending.count
        return data
    }

    /// The first `count` bytes (fewer at the end of the file), without consuming them.
    public func peek(_ count: Int) throws -> ArraySlice<UInt8> {
        while pending.count - pendingStart < count, try fill() {}
        return pending[pendingStart..<min(pending.count, pendingStart + count)]
    }
}
