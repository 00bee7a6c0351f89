/// The compression of a file, told from its first bytes (magic numbers), never from its name.
public enum Compression: String, Sendable {
    case none
    case bzip2
    case gzip
    case xz

    /// Recognises the magic number at the start of `prefix` (at least 6 bytes give a sure answer).
    public static func detect<Bytes: Collection>(_ prefix: Bytes) -> Compression where Bytes.Element == UInt8 {
        let head = Array(prefix.prefix(6))
        if head.starts(with: [0x42, 0x5A, 0x68]) { return .bzip2 }                    // "BZh"
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }     // FD "7zXZ" 00
        return .none
    }
}

/// One decompressor's state. `decode` consumes some input and produces some output; at the end of a
/// compressed stream (a bzip2 stream, a gzip member) it reports `streamEnded` and `restart` readies it
/// for a following concatenated stream.
protocol StreamDecoder: AnyObject {
    func decode(input: UnsafePointer<UInt8>, inputCount: Int,
                output: UnsafeMutablePointer<UInt8>, outputCapacity: Int,
                finishing: Bool) throws -> DecodeStep
    func restart() throws
    /// True when the format itself handles concatenated streams (xz), so the caller must not restart it.
    var handlesConcatenation: Bool { get }
}

struct DecodeStep {
    var consumed: Int
    var produced: Int
    var streamEnded: Bool
}

/// A decoder failure; the owning byte source adds the file name and byte offset.
struct DecodeFailure: Error {
    var message: String
}
