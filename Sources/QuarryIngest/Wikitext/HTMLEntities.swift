import Glibc

/// Decoding of HTML character references (`&amp;`, `&nbsp;`, `&#8212;`, `&#x2014;`) in UTF-8 bytes.
/// Unknown names are left as they are.
enum HTMLEntities {
    /// The named references wikitext commonly uses, as Unicode scalars. A no-break space becomes a
    /// plain space: it only ever separates words here.
    static let named: [String: UInt32] = [
        "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "nbsp": 0x20, "ensp": 0x20,
        "emsp": 0x20, "thinsp": 0x20, "ndash": 0x2013, "mdash": 0x2014, "minus": 0x2212, "times": 0xD7,
        "divide": 0xF7, "hellip": 0x2026, "lsquo": 0x2018, "rsquo": 0x2019, "ldquo": 0x201C,
        "rdquo": 0x201D, "laquo": 0xAB, "raquo": 0xBB, "deg": 0xB0, "middot": 0xB7, "bull": 0x2022,
        "prime": 0x2032, "Prime": 0x2033, "plusmn": 0xB1, "frac12": 0xBD, "frac14": 0xBC, "frac34": 0xBE,
        "sup2": 0xB2, "sup3": 0xB3, "copy": 0xA9, "reg": 0xAE, "trade": 0x2122, "euro": 0x20AC,
        "pound": 0xA3, "yen": 0xA5, "cent": 0xA2, "sect": 0xA7, "para": 0xB6, "dagger": 0x2020,
        "Dagger": 0x2021, "larr": 0x2190, "rarr": 0x2192, "harr": 0x2194, "uarr": 0x2191, "darr": 0x2193,
        "le": 0x2264, "ge": 0x2265, "ne": 0x2260, "asymp": 0x2248, "infin": 0x221E, "micro": 0xB5,
        "alpha": 0x3B1, "beta": 0x3B2, "gamma": 0x3B3, "delta": 0x3B4, "pi": 0x3C0, "sigma": 0x3C3,
        "mu": 0x3BC, "lambda": 0x3BB, "omega": 0x3C9, "Omega": 0x3A9, "shy": 0xAD, "zwj": 0x200D,
        "zwnj": 0x200C, "lrm": 0x200E, "rlm": 0x200F, "iexcl": 0xA1, "iquest": 0xBF, "ordm": 0xBA,
        "ordf": 0xAA, "szlig": 0xDF, "eacute": 0xE9, "egrave": 0xE8, "aacute": 0xE1, "agrave": 0xE0,
        "oacute": 0xF3, "uacute": 0xFA, "iacute": 0xED, "ouml": 0xF6, "uuml": 0xFC, "auml": 0xE4,
        "ccedil": 0xE7, "ntilde": 0xF1, "oslash": 0xF8, "aring": 0xE5, "aelig": 0xE6,
    ]

    static func decode(_ input: [UInt8]) -> [UInt8] {
        guard input.contains(ASCII.ampersand) else { return input }
        return ByteWriter.transform(input) { bytes, output in
            var index = 0
            while index < bytes.count {
                let next = nextByte(ASCII.ampersand, in: bytes, from: index)
                output.append(bytes, from: index, to: next)
                index = next
                guard index < bytes.count else { break }
                let byte = bytes[index]
                if let (scalar, length) = reference(in: bytes, at: index) {
                    appendUTF8(scalar, to: &output)
                    index += length
                } else {
                    output.append(byte)
                    index += 1
                }
            }
        }
    }

    /// The scalar a reference at `index` stands for and the reference's length in bytes.
    private static func reference(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int)? {
        var end = index + 1
        let limit = min(bytes.count, index + 34)
        while end < limit && bytes[end] != ASCII.semicolon {
            let byte = bytes[end]
            guard isASCIILetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == ASCII.hash else { return nil }
            end += 1
        }
        guard end < limit, end > index + 1 else { return nil }
        let body = Array(bytes[(index + 1)..<end])
        let scalar: UInt32?
        if body.first == ASCII.hash {
            let hex = body.count > 1 && (body[1] | 0x20) == 0x78
            let digits = String(decoding: body.dropFirst(hex ? 2 : 1), as: UTF8.self)
            scalar = UInt32(digits, radix: hex ? 16 : 10)
        } else {
            scalar = named[String(decoding: body, as: UTF8.self)]
        }
        guard let scalar, let valid = Unicode.Scalar(scalar), valid.value != 0 else { return nil }
        return (valid.value, end + 1 - index)
    }

    static func appendUTF8(_ value: UInt32, to output: inout ByteWriter) {
        guard let scalar = Unicode.Scalar(value) else { return }
        for byte in UTF8.encode(scalar)! { output.append(byte) }
    }
}
