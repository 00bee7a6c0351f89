import Foundation

/// A decoding thread that stays a few chunks ahead of the reader: a bounded queue under one condition.
final class DecodeAhead: @unchecked Sendable {
    struct Chunk {
        var bytes: [UInt8]
        /// The file offset reached once this chunk was decoded.
        var compressedBytesRead: Int64
    }

    private let condition = NSCondition()
    private var queue: [Result<Chunk, Error>] = []
    private var cancelled = false
    private static let depth = 4

    init(decoder: FileDecoder, chunkSize: Int) {
        let thread = Thread { [self] in run(decoder, chunkSize) }
        thread.name = "quarry-decompress"
        thread.start()
    }

    private func run(_ decoder: FileDecoder, _ chunkSize: Int) {
        while true {
            var bytes = [UInt8](repeating: 0, count: chunkSize)
            let result: Result<Chunk, Error>
            do {
                let count = try bytes.withUnsafeMutableBufferPointer { try decoder.fill($0.baseAddress!, capacity: chunkSize) }
                bytes.removeLast(chunkSize - count)
                result = .success(Chunk(bytes: bytes, compressedBytesRead: decoder.compressedBytesRead))
            } catch {
                result = .failure(error)
            }
            condition.lock()
            while queue.count >= Self.depth && !cancelled { condition.wait() }
            if cancelled { condition.unlock(); return }
            queue.append(result)
            condition.broadcast()
            condition.unlock()
            // An empty chunk marks the end; an error ends the stream too.
            if case .success(let chunk) = result, !chunk.bytes.isEmpty { continue }
            return
        }
    }

    /// The next chunk (empty at the end), waiting for the thread if need be; rethrows its error.
    func take() throws -> Chunk {
        condition.lock()
        while queue.isEmpty { condition.wait() }
        // The end and an error stay at the front, so asking again gives the same answer.
        let result = queue[0]
        if case .success(let chunk) = result, !chunk.bytes.isEmpty { queue.removeFirst() }
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
