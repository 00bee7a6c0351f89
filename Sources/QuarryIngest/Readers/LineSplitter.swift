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
    /// Lines longer than this are cut off (the rest up to the newline is read and dropped), so that one
    /// line without newlines cannot take all the memory; `lastLineWasCut` tells the caller.
    let maximumLineLength: Int
    private(set) var lastLineWasCut = false

    init(source: ByteChunkSource, maximumLineLength: Int = Int.max) {
        self.source = source
        self.maximumLineLength = maximumLineLength
    }

    /// The next line's bytes, or nil at the end of the input. A last line without `\n` is still a line.
    func nextLine() throws -> [UInt8]? {
        var line: [UInt8] = []
        var sawAny = false
        var dropped = 0
        lastLineWasCut = false
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
            let newline = chunk[position...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? chunk.count
            let room = max(0, maximumLineLength - line.count)
            line.append(contentsOf: chunk[position..<min(end, position + room)])
            dropped += max(0, end - position - room)
            position = end
            if newline != nil {
                position += 1
                lastLineWasCut = dropped > 0
                return finish(line, length: line.count + dropped + 1)
            }
        }
        lastLineWasCut = dropped > 0
        return sawAny && !(line.isEmpty && dropped == 0) ? finish(line, length: line.count + dropped) : nil
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
