import Foundation

/// A safetensors file that cannot be used: names the file and what is wrong with it.
public struct SafetensorsError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Element types the safetensors format defines.
public enum SafetensorsDType: String, Sendable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL
    /// Bytes per element.
    public var size: Int {
        switch self {
        case .F64, .I64, .U64: return 8
        case .F32, .I32, .U32: return 4
        case .F16, .BF16, .I16, .U16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }
    /// Whether `SafetensorsFile` can read it as Float.
    public var isFloatingPoint: Bool { self == .F32 || self == .F16 || self == .BF16 || self == .F64 }
}

/// A read-only, memory-mapped safetensors file whose header has been fully validated: every tensor lies inside
/// the data section, tensors do not overlap, and each byte range is exactly shape × dtype size.
public final class SafetensorsFile {
    /// One tensor's description; `begin`/`end` are byte offsets into the data section.
    public struct Entry: Sendable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        public let begin: Int
        public let end: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// Largest header accepted (the format's own limit is 100 MB).
    public static let maximumHeaderLength = 100_000_000

    public let url: URL
    /// Tensors by name.
    public let entries: [String: Entry]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    private let base: UnsafeRawPointer
    private let mappedLength: Int
    private let dataStart: Int

    /// Maps `url` and validates its header; throws `SafetensorsError` on anything malformed.
    public init(url: URL) throws {
        self.url = url
        let path = url.path
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(path: path, reason: reason) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw fail("cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("cannot stat") }
        let size = Int(info.st_size)
        guard size >= 8 else { throw fail("file of \(size) bytes is too short for a safetensors header") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw fail("cannot memory-map (\(String(cString: strerror(errno))))")
        }
        let raw = UnsafeRawPointer(mapped)
        do {
            let headerLength = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            guard headerLength <= UInt64(Self.maximumHeaderLength) else {
                throw fail("header length \(headerLength) exceeds the \(Self.maximumHeaderLength)-byte limit")
            }
            guard Int(headerLength) <= size - 8 else {
                throw fail("header length \(headerLength) runs past the end of the \(size)-byte file")
            }
            let header = Data(bytes: raw + 8, count: Int(headerLength))
            let parsed = try Self.parseHeader(header, dataSize: size - 8 - Int(headerLength), fail: fail)
            entries = parsed.entries
            metadata = parsed.metadata
        } catch {
            munmap(mapped, size)
            throw error
        }
        base = raw
        mappedLength = size
        dataStart = 8 + Int(UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)))
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }

    private static func parseHeader(
        _ header: Data, dataSize: Int, fail: (String) -> SafetensorsError
    ) throws -> (entries: [String: Entry], metadata: [String: String]) {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: header) } catch {
            throw fail("header is not valid JSON")
        }
        guard let object = json as? [String: Any] else { throw fail("header is not a JSON object") }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("__metadata__ value for \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let fields = value as? [String: Any] else { throw fail("tensor \(name): entry is not an object") }
            guard let dtypeName = fields["dtype"] as? String else { throw fail("tensor \(name): missing dtype") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw fail("tensor \(name): unknown dtype \(dtypeName)")
            }
            guard let shape = integers(fields["shape"]) else {
                throw fail("tensor \(name): shape is not a list of non-negative integers")
            }
            guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
                throw fail("tensor \(name): data_offsets is not a pair of non-negative integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= dataSize else {
                throw fail("tensor \(name): data_offsets [\(begin), \(end)] outside the \(dataSize)-byte data section")
            }
            var bytes = dtype.size
            for d in shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor \(name): shape \(shape) overflows") }
                bytes = product
            }
            guard bytes == end - begin else {
                throw fail("tensor \(name): shape \(shape) of \(dtypeName) needs \(bytes) bytes but offsets give \(end - begin)")
            }
            entries[name] = Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
        }
        let ordered = entries.values.filter { $0.end > $0.begin }.sorted { $0.begin < $1.begin }
        for (a, b) in zip(ordered, ordered.dropFirst()) where b.begin < a.end {
            throw fail("tensors \(a.name) and \(b.name) overlap")
        }
        return (entries, metadata)
    }

    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in list {
            // Integers only, and small enough that a Double holds them exactly (2^53): a byte offset past
            // that is hostile anyway.
            guard let number = item as? NSNumber else { return nil }
            let d = number.doubleValue
            guard d >= 0, d < 9_007_199_254_740_992, d.rounded() == d else { return nil }
            result.append(Int(d))
        }
        return result
    }

    /// The tensor `name` converted to Float (from F32, F16, BF16 or F64).
    public func floats(_ name: String) throws -> [Float] {
        guard let entry = entries[name] else { throw SafetensorsError(path: url.path, reason: "no tensor named \(name)") }
        var result = [Float](repeating: 0, count: entry.count)
        try result.withUnsafeMutableBufferPointer { try copy(entry, into: $0.baseAddress!) }
        return result
    }

    /// The tensor `name` converted to Float, which must hold exactly `count` floats (a checkpoint's arrays
    /// against the run restoring them).
    public func floats(_ name: String, count: Int) throws -> [Float] {
        let values = try floats(name)
        guard values.count == count else {
            throw SafetensorsError(path: url.path, reason: "\(name) holds \(values.count) floats, expected \(count)")
        }
        return values
    }

    /// Converts `entry` to Float into `destination` (which must hold `entry.count` floats).
    public func copy(_ entry: Entry, into destination: UnsafeMutablePointer<Float>) throws {
        let source = base + dataStart + entry.begin
        let n = entry.count
        switch entry.dtype {
        case .F32:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: n * 4)
        case .F16:
            for i in 0..<n {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = Float(Float16(bitPattern: bits))
            }
        case .BF16:
            for i in 0..<n {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        case .F64:
            for i in 0..<n { destination[i] = Float(source.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        default:
            throw SafetensorsError(path: url.path, reason: "tensor \(entry.name) has dtype \(entry.dtype.rawValue), not a float type")
        }
    }
}

/// Writes float32 tensors as a safetensors file, atomically (`AtomicFile`).
public enum SafetensorsWriter {
    /// One tensor to write.
    public struct Tensor {
        public let name: String
        public let shape: [Int]
        public let data: UnsafePointer<Float>
        public init(name: String, shape: [Int], data: UnsafePointer<Float>) {
            self.name = name; self.shape = shape; self.data = data
        }
    }

    public static func write(_ tensors: [Tensor], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for t in tensors {
            let bytes = t.shape.reduce(1, *) * 4
            header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad so the data section starts 8-byte aligned, as the format recommends.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        do {
            try AtomicFile.write(to: url) { handle in
                var length = UInt64(json.count).littleEndian
                try handle.write(contentsOf: Data(bytes: &length, count: 8))
                try handle.write(contentsOf: json)
                for t in tensors { try handle.write(contentsOf: Data(bytes: t.data, count: t.shape.reduce(1, *) * 4)) }
            }
        } catch let error as FileWriteError {
            throw SafetensorsError(path: url.path, reason: error.reason)
        }
    }
}
