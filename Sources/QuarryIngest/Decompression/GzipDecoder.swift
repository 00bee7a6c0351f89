import CZlib

/// zlib's inflate in gzip mode; reset after each member so multi-member files read through.
final class GzipDecoder: StreamDecoder {
    private var stream = z_stream()

    init() throws {
        // 16 + MAX_WBITS: expect a gzip header and trailer rather than a raw zlib stream.
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DecodeFailure(message: "zlib initialisation failed (code \(status))") }
    }

    deinit { inflateEnd(&stream) }

    var handlesConcatenation: Bool { false }

    func restart() throws {
        let status = inflateReset(&stream)
        guard status == Z_OK else { throw DecodeFailure(message: "zlib reset failed (code \(status))") }
    }

    func decode(input: UnsafePointer<UInt8>, inputCount: Int,
                output: UnsafeMutablePointer<UInt8>, outputCapacity: Int,
                finishing: Bool) throws -> DecodeStep {
        stream.next_in = UnsafeMutablePointer(mutating: input)
        stream.avail_in = UInt32(inputCount)
        stream.next_out = output
        stream.avail_out = UInt32(outputCapacity)
        let status = inflate(&stream, Z_NO_FLUSH)
        let step = DecodeStep(consumed: inputCount - Int(stream.avail_in),
                              produced: outputCapacity - Int(stream.avail_out),
                              streamEnded: status == Z_STREAM_END)
        switch status {
        case Z_OK, Z_STREAM_END: return step
        case Z_BUF_ERROR: return step   // no progress possible with this input; the caller reads more or ends
        case Z_DATA_ERROR: throw DecodeFailure(message: "corrupt gzip data")
        case Z_MEM_ERROR: throw DecodeFailure(message: "out of memory decompressing gzip")
        default: throw DecodeFailure(message: "gzip error (code \(status))")
        }
    }
}
