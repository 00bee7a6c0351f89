import Foundation

/// The file and its decoder, read synchronously in fixed chunks (`ByteSource` may run it on a thread).
final class FileDecoder {
    let path: String
    let compression: Compression
    private(set) var compressedBytesRead: Int64 = 0

    private let descriptor: Int32
    private let decoder: StreamDecoder?
    private var input: UnsafeMutablePointer<UInt8>
    private let chunkSize: Int
    private var inputStart = 0
    private var inputEnd = 0
    private var fileEnded = false
    /// True between the end of one compressed stream and the first byte of the next.
    private var betweenStreams = false
    private var finished = false

    /// - Parameter offset: where to start; past 0 it must be where a bzip2 stream ends (the next stream or
    ///   the end of the file follows), as when `ParallelBzip2` hands a stream over to sequential decoding.
    init(url: URL, chunkSize: Int, resumingBzip2At offset: Int64 = 0) throws {
        path = url.path
        self.chunkSize = max(chunkSize, 16)
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw IngestError(file: path, place: "", message: "cannot open: \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) != S_IFDIR else {
            throw IngestError(file: path, place: "", message: "is a directory, not a file")
        }
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw IngestError(file: path, place: "", message: "cannot open: \(String(cString: strerror(errno)))")
        }
        input = .allocate(capacity: self.chunkSize)
        do {
            if offset > 0 && lseek(descriptor, off_t(offset), SEEK_SET) < 0 {
                throw IngestError(file: path, place: "byte \(offset)", message: "cannot seek: \(String(cString: strerror(errno)))")
            }
            compressedBytesRead = offset
            betweenStreams = offset > 0
            try FileDecoder.fill(descriptor, input, self.chunkSize, &inputStart, &inputEnd, &fileEnded, path)
            compression = offset > 0 ? .bzip2 : Compression.detect(UnsafeBufferPointer(start: input, count: inputEnd))
            switch compression {
            case .none: decoder = nil
            case .bzip2: decoder = try Bzip2Decoder()
            case .gzip: decoder = try GzipDecoder()
            case .xz: decoder = try XZDecoder()
            }
        } catch let failure as DecodeFailure {
            close(descriptor); input.deallocate()
            throw IngestError(file: path, place: "", message: failure.message)
        } catch {
            close(descriptor); input.deallocate()
            throw error
        }
    }

    deinit {
        close(descriptor)
        input.deallocate()
    }

    /// Up to `capacity` decoded bytes; 0 only at the end. Errors name the byte offset.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard capacity > 0, !finished else { return 0 }
        let count = try decoder == nil ? readPlain(into: buffer, capacity: capacity)
                                        : readDecoded(into: buffer, capacity: capacity)
        if count == 0 { finished = true }
        return count
    }

    /// Fills `buffer` as far as the data goes (short only at the end).
    func fill(_ buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        var total = 0
        while total < capacity {
            let count = try read(into: buffer + total, capacity: capacity - total)
            if count == 0 { break }
            total += count
        }
        return total
    }

    private func readPlain(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if inputStart == inputEnd {
            if fileEnded { return 0 }
            try refill()
            if inputStart == inputEnd { return 0 }
        }
        let count = min(capacity, inputEnd - inputStart)
        buffer.update(from: input + inputStart, count: count)
        inputStart += count
        compressedBytesRead += Int64(count)
        return count
    }

    private func readDecoded(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard let decoder else { return 0 }
        while true {
            if inputStart == inputEnd && !fileEnded { try refill() }
            let available = inputEnd - inputStart
            if betweenStreams {
                // A finished stream followed by nothing is the normal end; anything else must be the next stream.
                if available == 0 { return 0 }
                try startNextStream(decoder)
            }
            let step: DecodeStep
            do {
                step = try decoder.decode(input: input + inputStart, inputCount: available,
                                          output: buffer, outputCapacity: capacity, finishing: fileEnded)
            } catch let failure as DecodeFailure {
                throw IngestError(file: path, place: "byte \(compressedBytesRead)", message: failure.message)
            }
            inputStart += step.consumed
            compressedBytesRead += Int64(step.consumed)
            if step.streamEnded {
                if decoder.handlesConcatenation { betweenStreams = false; if step.produced == 0 { return 0 } }
                else { betweenStreams = true }
            }
            if step.produced > 0 { return step.produced }
            if step.streamEnded { continue }
            if fileEnded && inputStart == inputEnd && step.consumed == 0 {
                throw IngestError(file: path, place: "byte \(compressedBytesRead)",
                                  message: "\(compression.rawValue) stream is truncated (the file ends inside compressed data)")
            }
        }
    }

    /// After one bzip2 stream or gzip member: the rest must be another stream of the same kind.
    private func startNextStream(_ decoder: StreamDecoder) throws {
        if inputEnd - inputStart < 6 && !fileEnded { try refill() }
        let next = Compression.detect(UnsafeBufferPointer(start: input + inputStart, count: inputEnd - inputStart))
        guard next == compression else {
            throw IngestError(file: path, place: "byte \(compressedBytesRead)",
                              message: "unexpected data after the end of the \(compression.rawValue) stream")
        }
        do { try decoder.restart() } catch let failure as DecodeFailure {
            throw IngestError(file: path, place: "byte \(compressedBytesRead)", message: failure.message)
        }
        betweenStreams = false
    }

    /// Moves unread input to the front of the buffer and reads more from the file.
    private func refill() throws {
        if inputStart > 0 {
            let left = inputEnd - inputStart
            if left > 0 { (input).update(from: input + inputStart, count: left) }
            inputStart = 0
            inputEnd = left
        }
        try FileDecoder.fill(descriptor, input, chunkSize, &inputStart, &inputEnd, &fileEnded, path)
    }

    private static func fill(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ capacity: Int,
                             _ start: inout Int, _ end: inout Int, _ ended: inout Bool, _ path: String) throws {
        while end < capacity && !ended {
            let count = Foundation.read(descriptor, buffer + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                throw IngestError(file: path, place: "", message: "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { ended = true } else { end += count }
        }
    }
}
