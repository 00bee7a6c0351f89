/// Cuts a byte stream into lines (without their `\n` or `\r\n`), counting line numbers and byte offsets
/// for error messages. Holds one chunk plus the line being assembled, never the whole input.
final class LineSplitter {
    private let source: ByteChunkSource
    private var chunk: [UInt8] = []
    private var position = 0
    private var finished = false
    /// Number of the line most recently returned, from 1.
    private(set) var lineNumber = 0
    /// Offset in the (decompressed) stream of the first byte of the line most recently returned.
    private(set) var lineOffset: Int64 = 0
    private var consumed: Int64 = 0
    static let chunkSize = 1 << 20

    init(source: ByteChunkSource) {
        self.source = source
    }

    /// The next line's bytes, or nil at the end of the input. A last line without `\n` is still a line.
    func nextLine() throws -> [UInt8]? {
        var line: [UInt8] = []
        var sawAny = false
        while true {
            if position == chunk.count {
                if finished { break }
                chunk = try source.nextChunk(maxCount: Self.chunkSize)
                position = 0
                if chunk.isEmpty {
                    finished = true
                    break
                }
            }
            sawAny = true
            if let newline = chunk[position...].firstIndex(of: UInt8(ascii: "\n")) {
                line.append(contentsOf: chunk[position..<newline])
                position = newline + 1
                return finish(line, length: line.count + 1)
            }
            line.append(contentsOf: chunk[position...])
            position = chunk.count
        }
        return sawAny && !line.isEmpty ? finish(line, length: line.count) : nil
    }

    private func finish(_ line: [UInt8], length: Int) -> [UInt8] {
        lineNumber += 1
        lineOffset = consumed
        consumed += Int64(length)
        var line = line
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }
}
