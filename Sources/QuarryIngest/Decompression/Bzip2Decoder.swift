import CBZip2

/// libbz2's streaming decompressor; one `bz_stream` reused across the streams of a multistream file.
final class Bzip2Decoder: StreamDecoder {
    private var stream = bz_stream()
    private var open = false

    init() throws { try start() }

    deinit { if open { BZ2_bzDecompressEnd(&stream) } }

    var handlesConcatenation: Bool { false }

    private func start() throws {
        stream = bz_stream()
        let status = BZ2_bzDecompressInit(&stream, 0, 0)
        guard status == BZ_OK else { throw DecodeFailure(message: "bzip2 initialisation failed (code \(status))") }
        open = true
    }

    func restart() throws {
        if open { BZ2_bzDecompressEnd(&stream); open = false }
        try start()
    }

    func decode(input: UnsafePointer<UInt8>, inputCount: Int,
                output: UnsafeMutablePointer<UInt8>, outputCapacity: Int,
                finishing: Bool) throws -> DecodeStep {
        stream.next_in = UnsafeMutableRawPointer(mutating: input).assumingMemoryBound(to: CChar.self)
        stream.avail_in = UInt32(inputCount)
        stream.next_out = UnsafeMutableRawPointer(output).assumingMemoryBound(to: CChar.self)
        stream.avail_out = UInt32(outputCapacity)
        let status = BZ2_bzDecompress(&stream)
        let step = DecodeStep(consumed: inputCount - Int(stream.avail_in),
                              produced: outputCapacity - Int(stream.avail_out),
                              streamEnded: status == BZ_STREAM_END)
        switch status {
        case BZ_OK, BZ_STREAM_END: return step
        case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC: throw DecodeFailure(message: "corrupt bzip2 data")
        case BZ_MEM_ERROR: throw DecodeFailure(message: "out of memory decompressing bzip2")
        default: throw DecodeFailure(message: "bzip2 error (code \(status))")
        }
    }
}
