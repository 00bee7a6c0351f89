import Glibc

/// The index of the next `byte` at or after `start` (memchr), or the end.
@inline(__always)
func nextByte(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    guard start < bytes.count, let found = memchr(bytes.baseAddress! + start, Int32(byte), bytes.count - start) else { return bytes.count }
    return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
}

/// The index of the next byte at or after `start` for which `table` is true, or the end.
@inline(__always)
func nextMarked(_ table: UnsafePointer<Bool>, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    var index = start
    while index < bytes.count && !table[Int(bytes[index])] { index &+= 1 }
    return index
}

/// A 256-entry table marking the given bytes, kept for the life of the process.
func byteTable(_ marked: [UInt8]) -> UnsafePointer<Bool> {
    let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
    table.initialize(repeating: false, count: 256)
    for byte in marked { table[Int(byte)] = true }
    return UnsafePointer(table)
}

/// Small helpers for scanning UTF-8 bytes.
extension UnsafeBufferPointer where Element == UInt8 {
    /// True when the bytes at `index` equal `pattern` (ASCII), ignoring ASCII case.
    @inline(__always)
    func matchesIgnoringCase(_ pattern: StaticString, at index: Int) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard index >= 0, index + count <= self.count else { return false }
        let bytes = pattern.utf8Start
        for offset in 0..<count where lowerASCII(self[index &+ offset]) != lowerASCII(bytes[offset]) { return false }
        return true
    }

    /// True when the bytes at `index` equal `pattern` exactly.
    @inline(__always)
    func matches(_ first: UInt8, _ second: UInt8, at index: Int) -> Bool {
        index >= 0 && index + 1 < count && self[index] == first && self[index &+ 1] == second
    }

    /// The index of the next `first second` pair at or after `index`, or nil.
    func find(_ first: UInt8, _ second: UInt8, from index: Int) -> Int? {
        var position = nextByte(first, in: self, from: index)
        while position + 1 < count {
            if self[position &+ 1] == second { return position }
            position = nextByte(first, in: self, from: position &+ 1)
        }
        return nil
    }

    /// True when only spaces, tabs or list/indent colons precede `index` on its line.
    func atLineStart(_ index: Int) -> Bool {
        var position = index - 1
        while position >= 0 {
            switch self[position] {
            case 0x0A: return true
            case 0x20, 0x09, 0x3A: position -= 1
            default: return false
            }
        }
        return true
    }
}

@inline(__always)
func lowerASCII(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

@inline(__always)
func isASCIILetter(_ byte: UInt8) -> Bool { let lower = byte | 0x20; return lower >= 0x61 && lower <= 0x7A }

enum ASCII {
    static let newline: UInt8 = 0x0A, space: UInt8 = 0x20, tab: UInt8 = 0x09
    static let less: UInt8 = 0x3C, greater: UInt8 = 0x3E, slash: UInt8 = 0x2F, bang: UInt8 = 0x21
    static let openBrace: UInt8 = 0x7B, closeBrace: UInt8 = 0x7D, pipe: UInt8 = 0x7C
    static let openBracket: UInt8 = 0x5B, closeBracket: UInt8 = 0x5D, colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D, apostrophe: UInt8 = 0x27, underscore: UInt8 = 0x5F, dash: UInt8 = 0x2D
    static let ampersand: UInt8 = 0x26, semicolon: UInt8 = 0x3B, hash: UInt8 = 0x23
}

/// Appends bytes into preallocated memory: every cleaning pass writes at most as many bytes as it
/// reads, so one allocation per pass suffices and appending is a store, not an Array growth check.
struct ByteWriter {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        guard count < capacity else { return }
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        let length = min(end - start, capacity - count)
        guard length > 0 else { return }
        (base + count).update(from: bytes.baseAddress! + start, count: length)
        count &+= length
    }

    var last: UInt8? { count > 0 ? base[count - 1] : nil }

    mutating func removeLast() { if count > 0 { count &-= 1 } }

    mutating func truncate(to length: Int) { count = max(0, min(count, length)) }

    /// The bytes written from `start` on.
    func written(from start: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: count - start)
    }

    /// Runs `body` over `input` with a writer as large as the input, returning what it wrote.
    static func transform(_ input: [UInt8], extra: Int = 0, _ body: (UnsafeBufferPointer<UInt8>, inout ByteWriter) -> Void) -> [UInt8] {
        input.withUnsafeBufferPointer { bytes in
            [UInt8](unsafeUninitializedCapacity: bytes.count + extra + 1) { buffer, count in
                var writer = ByteWriter(buffer)
                body(bytes, &writer)
                count = writer.count
            }
        }
    }
}
