import Foundation

/// A bzip2 file decoded block by block on several threads, output in file order. A scanning thread splits
/// the file into blocks (`Bzip2BlockScanner`), workers decode them as standalone streams, and `read` hands
/// the text out in order; at most `window` blocks are in flight, so memory stays bounded.
///
/// Whatever the split cannot vouch for (a block that fails to decode, which is either corruption or a magic
/// number occurring by chance in the data; a header out of place; trailing bytes) is handed to the
/// sequential decoder from the start of that stream, which skips the text already given out. Output and
/// errors are therefore the sequential decoder's, only faster.
public final class ParallelBzip2: @unchecked Sendable {
    /// Decoding threads used by default: all cores but one (the parser's), and at least two, so that on
    /// 2 cores decoding can use the parser's core while the parser waits. QUARRY_BZIP2_THREADS overrides
    /// it, 0 for the plain one-thread decoder.
    public static var defaultThreads: Int {
        if let text = ProcessInfo.processInfo.environment["QUARRY_BZIP2_THREADS"], let count = Int(text) { return count }
        return max(2, ProcessInfo.processInfo.activeProcessorCount - 1)
    }

    private enum Outcome {
        case text([UInt8], endOffset: Int64)
        case streamEnd(endOffset: Int64)
        case fallBack(streamStart: Int64)
        case end(fileSize: Int64)
        case failure(Error)
    }

    private struct Job {
        var index: Int
        var wrapped: [UInt8]
        var endOffset: Int64
        var streamStart: Int64
    }

    let url: URL
    private let chunkSize: Int
    private let window: Int
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var results: [Int: Outcome] = [:]
    private var scanned = 0
    private var taken = 0
    private var scanningDone = false
    private var cancelled = false

    /// Bytes of the file consumed up to the text handed out.
    private(set) var compressedBytesRead: Int64 = 0
    private var current: [UInt8] = []
    private var currentOffset = 0
    /// Text handed out since the current stream began (what a fallback decoder must skip).
    private var producedInStream: Int64 = 0
    private var fallback: FileDecoder?
    /// True once decoding went over to the sequential decoder (for tests: never on sound files).
    var fellBack: Bool { fallback != nil }
    private var failed: Error?
    private var finished = false

    init(url: URL, workers: Int, chunkSize: Int) throws {
        self.url = url
        self.chunkSize = chunkSize
        window = 2 * workers + 2
        let scanner = try Bzip2BlockScanner(path: url.path)
        let scan = Thread { [self] in runScanner(scanner) }
        scan.name = "quarry-bzip2-scan"
        scan.start()
        for number in 0..<workers {
            let worker = Thread { [self] in runWorker() }
            worker.name = "quarry-bzip2-\(number)"
            worker.start()
        }
    }

    /// Stops the threads (they hold the object, so the owner must call this when done with it).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: Reading

    /// Up to `capacity` bytes of text; 0 only at the end. Errors are the sequential decoder's.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if let failed { throw failed }
        guard capacity > 0, !finished else { return 0 }
        if let fallback {
            let count = try fallback.read(into: buffer, capacity: capacity)
            compressedBytesRead = fallback.compressedBytesRead
            return count
        }
        while currentOffset == current.count {
            switch take() {
            case .text(let text, let endOffset):
                current = text
                currentOffset = 0
                compressedBytesRead = endOffset
            case .streamEnd(let endOffset):
                compressedBytesRead = endOffset
                producedInStream = 0
            case .end(let fileSize):
                compressedBytesRead = fileSize
                finished = true
                return 0
            case .fallBack(let streamStart):
                try fallBack(to: streamStart)
                return try read(into: buffer, capacity: capacity)
            case .failure(let error):
                cancel()
                failed = error
                throw error
            }
        }
        let count = min(capacity, current.count - currentOffset)
        current.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + currentOffset, count: count) }
        currentOffset += count
        producedInStream += Int64(count)
        return count
    }

    /// The outcome of the next piece in file order, waiting for it.
    private func take() -> Outcome {
        condition.lock()
        defer { condition.unlock() }
        while results[taken] == nil { condition.wait() }
        let outcome = results.removeValue(forKey: taken)!
        taken += 1
        condition.broadcast()
        return outcome
    }

    /// Hands over to the sequential decoder at the start of the stream, skipping the text already out.
    private func fallBack(to streamStart: Int64) throws {
        cancel()
        let decoder = try FileDecoder(url: url, chunkSize: chunkSize, resumingBzip2At: streamStart)
        fallback = decoder
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        defer { scratch.deallocate() }
        var skip = producedInStream
        do {
            while skip > 0 {
                // libbz2 may go on into the damaged block within the call that ends the text already out.
                let count = try decoder.read(into: scratch, capacity: Int(min(skip, 1 << 16)))
                guard count > 0 else { break }
                skip -= Int64(count)
            }
        } catch {
            failed = error
            throw error
        }
    }

    // MARK: Threads

    private func runScanner(_ scanner: Bzip2BlockScanner) {
        defer {
            condition.lock()
            scanningDone = true
            condition.broadcast()
            condition.unlock()
        }
        while true {
            let piece: Bzip2Piece?
            do { piece = try scanner.next() } catch {
                publish(.failure(error))
                return
            }
            guard let piece else { return }
            let more: Bool
            switch piece {
            case .block(let wrapped, let endOffset, let streamStart):
                more = publish(job: Job(index: 0, wrapped: wrapped, endOffset: endOffset, streamStart: streamStart))
            case .streamEnd(let endOffset):
                more = publish(.streamEnd(endOffset: endOffset))
            case .truncatedTail(let wrapped, let fileSize, let streamStart):
                for outcome in Self.decodeTail(wrapped, fileSize: fileSize, streamStart: streamStart, path: url.path) {
                    guard publish(outcome) else { break }
                }
                more = false
            case .unsure(let streamStart):
                more = publish(.fallBack(streamStart: streamStart))
            case .end(let fileSize):
                more = publish(.end(fileSize: fileSize))
            }
            guard more else { return }
        }
    }

    /// Adds the next piece in file order, a result or a block for the workers, waiting while the window is
    /// full. False once cancelled.
    @discardableResult
    private func publish(_ outcome: Outcome? = nil, job: Job? = nil) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while scanned - taken >= window && !cancelled { condition.wait() }
        if cancelled { return false }
        if let outcome { results[scanned] = outcome }
        if var job {
            job.index = scanned
            jobs.append(job)
        }
        scanned += 1
        condition.broadcast()
        return true
    }

    private func runWorker() {
        while true {
            condition.lock()
            while jobs.isEmpty && !cancelled && !scanningDone { condition.wait() }
            if cancelled || jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            var text: [UInt8] = []
            let outcome: Outcome = Self.decode(job.wrapped, into: &text) == .complete
                ? .text(text, endOffset: job.endOffset) : .fallBack(streamStart: job.streamStart)
            condition.lock()
            results[job.index] = outcome
            condition.broadcast()
            condition.unlock()
        }
    }

    /// A tail cut off inside a stream: its complete text, then the sequential decoder's truncation error.
    private static func decodeTail(_ wrapped: [UInt8], fileSize: Int64, streamStart: Int64, path: String) -> [Outcome] {
        var text: [UInt8] = []
        // Anything but "needs more input" is for the sequential decoder to describe.
        guard decode(wrapped, into: &text) == .inputRanOut else { return [.fallBack(streamStart: streamStart)] }
        let error = IngestError(file: path, place: "byte \(fileSize)",
                                message: "bzip2 stream is truncated (the file ends inside compressed data)")
        return (text.isEmpty ? [] : [.text(text, endOffset: fileSize)]) + [.failure(error)]
    }

    private enum BlockDecoding { case complete, inputRanOut, failed }

    /// Decodes all of `input` as one stream with the sequential path's `Bzip2Decoder`, setting `output` to
    /// the text: complete when the stream ended exactly at the end of the input, inputRanOut when the input
    /// ended first.
    private static func decode(_ input: [UInt8], into output: inout [UInt8]) -> BlockDecoding {
        guard !input.isEmpty, let decoder = try? Bzip2Decoder() else { return .failed }
        output = [UInt8](repeating: 0, count: max(1 << 20, input.count * 6))
        var consumed = 0, produced = 0
        defer { output.removeLast(output.count - produced) }
        return input.withUnsafeBufferPointer { inBuffer in
            while true {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
                let step: DecodeStep
                do {
                    step = try output.withUnsafeMutableBufferPointer { outBuffer in
                        try decoder.decode(input: inBuffer.baseAddress! + consumed, inputCount: inBuffer.count - consumed,
                                           output: outBuffer.baseAddress! + produced, outputCapacity: outBuffer.count - produced,
                                           finishing: false)
                    }
                } catch { return .failed }
                consumed += step.consumed
                produced += step.produced
                // A block split in the wrong place may end early: all of the input must be used.
                if step.streamEnded { return consumed == inBuffer.count ? .complete : .failed }
                if consumed == inBuffer.count && produced < output.count { return .inputRanOut }
            }
        }
    }
}
