/// A 128-bit FNV-1a digest of a document as the pipeline would store it: title, sections and the splitter
/// settings, each field length-prefixed so that moving text between fields changes the digest. It decides
/// whether a re-ingest leaves a document alone; it is not a defence against crafted collisions.
struct ContentHash {
    private var high: UInt64 = 0x6c62_272e_07bb_0142
    private var low: UInt64 = 0x62b8_2175_6295_c58d

    /// The digest of one document under one splitter, as 32 hex digits.
    static func of(title: String, sections: [String], splitter: PassageSplitter) -> String {
        var hash = ContentHash()
        hash.add("passages:\(splitter.words)/\(splitter.stride)")
        hash.add(title)
        for section in sections { hash.add(section) }
        return hash.hex
    }

    mutating func add(_ field: String) {
        var length = UInt64(field.utf8.count)
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        for byte in field.utf8 { mix(byte) }
    }

    /// One FNV-1a step: xor the byte in, multiply by the 128-bit prime 2^88 + 0x13b (mod 2^128).
    private mutating func mix(_ byte: UInt8) {
        low ^= UInt64(byte)
        let (carry, product) = low.multipliedFullWidth(by: 0x13b)
        high = high &* 0x13b &+ carry &+ (low << 24)
        low = product
    }

    var hex: String {
        let digits = String(high, radix: 16) , rest = String(low, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
            + String(repeating: "0", count: 16 - rest.count) + rest
    }
}
