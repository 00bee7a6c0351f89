import QuarryTestSupport

/// A deterministic byte mutator: the same seed gives the same sequence of inputs on every machine, so a
/// finding is reproduced from its seed and iteration number alone.
struct SeededMutator {
    private var generator: SplitMix64
    /// Format-specific fragments worth splicing in (tags, entity references, wikitext markup, …).
    let dictionary: [[UInt8]]

    init(seed: UInt64, dictionary: [String]) {
        generator = SplitMix64(seed: seed)
        self.dictionary = dictionary.map { Array($0.utf8) }
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    /// Bytes that tend to sit on parser boundaries: delimiters, NUL, UTF-8 lead and continuation bytes,
    /// invalid bytes, line ends.
    static let interestingBytes: [UInt8] = [0x00, 0x0A, 0x0D, 0x09, 0x20, 0x22, 0x26, 0x27, 0x3B, 0x3C, 0x3E, 0x2F,
                                            0x3D, 0x5B, 0x5D, 0x7B, 0x7D, 0x7C, 0x23, 0x2A, 0x2C, 0x5C,
                                            0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF8, 0xFE, 0xFF]

    /// `input` with one to four mutations applied.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) { mutateOnce(&bytes) }
        return bytes
    }

    private mutating func mutateOnce(_ bytes: inout [UInt8]) {
        let position = below(bytes.count + 1)
        switch below(9) {
        case 0 where !bytes.isEmpty: // flip a bit
            let index = min(position, bytes.count - 1)
            bytes[index] ^= UInt8(1 << below(8))
        case 1 where !bytes.isEmpty: // an interesting byte
            bytes[min(position, bytes.count - 1)] = Self.interestingBytes[below(Self.interestingBytes.count)]
        case 2, 3: // a dictionary fragment
            bytes.insert(contentsOf: token(), at: position)
        case 4 where !bytes.isEmpty: // delete a range
            let length = 1 + below(max(1, min(bytes.count - position, 1 + bytes.count / 8)))
            bytes.removeSubrange(position..<min(bytes.count, position + length))
        case 5 where !bytes.isEmpty: // duplicate a range elsewhere
            let start = below(bytes.count)
            let length = 1 + below(min(bytes.count - start, 4096))
            let slice = Array(bytes[start..<start + length])
            bytes.insert(contentsOf: slice, at: below(bytes.count + 1))
        case 6: // truncate
            bytes.removeSubrange(position...)
        case 7: // a fragment repeated many times: deep nesting, long runs
            let fragment = token()
            let times = 1 + below(2_000)
            bytes.insert(contentsOf: (0..<times).flatMap { _ in fragment }, at: position)
        default: // random bytes
            bytes.insert(contentsOf: (0..<1 + below(8)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: position)
        }
    }

    private mutating func token() -> [UInt8] {
        dictionary.isEmpty ? [UInt8(truncatingIfNeeded: next())] : dictionary[below(dictionary.count)]
    }

    /// A string of `1...maxLength` pieces drawn from the dictionary, interesting bytes and random Unicode
    /// scalars (valid UTF-8 by construction).
    mutating func string(maxLength: Int) -> String {
        var result = ""
        for _ in 0..<1 + below(maxLength) {
            switch below(4) {
            case 0, 1: result += String(decoding: token(), as: UTF8.self)
            case 2: result.unicodeScalars.append(Unicode.Scalar(Self.interestingBytes[below(Self.interestingBytes.count)] & 0x7F))
            default:
                let value = UInt32(truncatingIfNeeded: next()) % 0x11_0000
                if let scalar = Unicode.Scalar(value) { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}
