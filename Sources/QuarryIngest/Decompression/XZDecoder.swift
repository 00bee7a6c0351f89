import CLZMA

/// liblzma's .xz decoder; LZMA_CONCATENATED makes it read concatenated .xz streams itself.
final class XZDecoder: StreamDecoder {
    private var stream = lzma_stream()
    /// LZMA_CONCATENATED (a C macro Swift does not import).
    private let concatenated: UInt32 = 0x08

    init() throws {
        let status = lzma_stream_decoder(&stream, UInt64.max, concatenated)
        guard status == LZMA_OK else { throw DecodeFailure(message: "xz initialisation failed (code \(status.rawValue))") }
    }

    deinit { lzma_end(&stream) }

    var handlesConcatenation: Bool { true }

    func restart() throws {}

    func decode(input: UnsafePointer<UInt8>, inputCount: Int,
                output: UnsafeMutablePointer<UInt8>, outputCapacity: Int,
                finishing: Bool) throws -> DecodeStep {
        stream.next_in = input
        stream.avail_in = inputCount
        stream.next_out = output
        stream.avail_out = outputCapacity
        let status = lzma_code(&stream, finishing ? LZMA_FINISH : LZMA_RUN)
        let step = DecodeStep(consumed: inputCount - stream.avail_in,
                              produced: outputCapacity - stream.avail_out,
                              streamEnded: status == LZMA_STREAM_END)
        switch status {
        case LZMA_OK, LZMA_STREAM_END: return step
        case LZMA_BUF_ERROR:
            if finishing { throw DecodeFailure(message: "xz stream is truncated") }
            return step
        case LZMA_DATA_ERROR, LZMA_FORMAT_ERROR: throw DecodeFailure(message: "corrupt xz data")
        case LZMA_MEM_ERROR: throw DecodeFailure(message: "out of memory decompressing xz")
        default: throw DecodeFailure(message: "xz error (code \(status.rawValue))")
        }
    }
}
