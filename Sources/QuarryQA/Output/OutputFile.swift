import Foundation

/// A file Quarry writes results to (run files, prediction files, per-question lines): created or emptied on
/// open, written through a buffer, made durable on `close`. Every failure names the file and the system's
/// reason ("No space left on device").
public final class OutputFile {
    public let path: String
    private let descriptor: Int32
    private var buffer = Data()

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputFileError(path: path, operation: "create", code: errno) }
    }

    deinit { Foundation.close(descriptor) }

    public func write(_ text: String) throws { try write(Data(text.utf8)) }

    public func write(_ data: Data) throws {
        buffer.append(data)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Hands what is buffered to the system.
    public func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw OutputFileError(path: path, operation: "write", code: errno)
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and waits until it is on disk: a full disk shows here at the latest.
    public func close() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw OutputFileError(path: path, operation: "sync", code: errno) }
    }
}

/// An output file that could not be written.
public struct OutputFileError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "\(path): cannot \(operation) (\(String(cString: strerror(code))))" }
}
