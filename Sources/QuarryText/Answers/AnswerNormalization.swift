/// Answer normalisation exactly as the official SQuAD v1.1 evaluation defines it, applied in its order:
/// lower-case (Python `str.lower`, final sigma included), remove every character of Python's
/// `string.punctuation` (the 32 ASCII punctuation characters), replace the words `a`, `an`, `the` by a
/// space (whole words in the sense of a Unicode regular-expression `\b`), then collapse whitespace.
public enum AnswerNormalization {
    /// The normalised text: its tokens joined by single spaces.
    public static func normalize(_ text: String) -> String {
        tokens(text).joined(separator: " ")
    }

    /// The normalised text split on whitespace: what EM compares and F1 counts.
    public static func tokens(_ text: String) -> [String] {
        normalizedTokens(text, offsets: false).tokens
    }

    /// The normalised tokens, each with the UTF-8 range in `text` it came from (first to last source
    /// character kept in it; punctuation removed inside a token, such as the dots of "U.S.", lies within).
    public static func tokensWithOffsets(_ text: String) -> [(token: String, utf8Range: Range<Int>)] {
        let (tokens, ranges) = normalizedTokens(text, offsets: true)
        return Array(zip(tokens, ranges))
    }

    private static func normalizedTokens(_ text: String, offsets: Bool) -> (tokens: [String], ranges: [Range<Int>]) {
        let (kept, sources) = lowercasedWithoutPunctuation(text, offsets: offsets)
        var tokens: [String] = []
        var ranges: [Range<Int>] = []
        var current: [UInt8] = []   // the token being built, as UTF-8
        current.reserveCapacity(32)
        var first = 0, last = 0     // kept indices of the token's first and last scalars
        func flush() {
            guard !current.isEmpty else { return }
            tokens.append(String(decoding: current, as: UTF8.self))
            current.removeAll(keepingCapacity: true)
            if offsets { ranges.append(sources[first].lowerBound..<sources[last].upperBound) }
        }
        @inline(__always) func take(_ k: Int) {
            if current.isEmpty { first = k }
            last = k
            appendUTF8(kept[k], to: &current)
        }
        // One pass: whitespace ends a token; a maximal run of word characters that is an article acts as
        // whitespace (the official script replaces it by a space before splitting).
        var i = 0
        while i < kept.count {
            let scalar = kept[i]
            if isSpace(scalar) { flush(); i += 1; continue }
            guard isWordCharacter(scalar) else { take(i); i += 1; continue }
            var j = i + 1
            while j < kept.count && isWordCharacter(kept[j]) { j += 1 }
            if isArticle(kept[i..<j]) { flush() } else { for k in i..<j { take(k) } }
            i = j
        }
        flush()
        return (tokens, ranges)
    }

    @inline(__always)
    private static func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        let v = scalar.value
        if v < 0x80 { bytes.append(UInt8(v)); return }
        bytes.append(contentsOf: UTF8.encode(scalar)!)
    }

    /// Python's `str.lower` scalar by scalar, then dropping `string.punctuation`; with `offsets`, also the
    /// UTF-8 range of each kept scalar's source.
    private static func lowercasedWithoutPunctuation(_ text: String, offsets: Bool) -> ([Unicode.Scalar], [Range<Int>]) {
        let scalars = Array(text.unicodeScalars)
        var out: [Unicode.Scalar] = []
        var sources: [Range<Int>] = []
        out.reserveCapacity(scalars.count)
        if offsets { sources.reserveCapacity(scalars.count) }
        var offset = 0
        for (index, scalar) in scalars.enumerated() {
            let width = UTF8.width(scalar)
            defer { offset += width }
            if scalar.value < 0x80 {
                if isASCIIPunctuation(scalar.value) { continue }
                out.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 32)! : scalar)
                if offsets { sources.append(offset..<(offset + width)) }
            } else if scalar.value == 0x3A3 && isFinalSigma(scalars, index) {
                out.append("\u{3C2}")
                if offsets { sources.append(offset..<(offset + width)) }
            } else {
                for lower in scalar.properties.lowercaseMapping.unicodeScalars where !(lower.value < 0x80 && isASCIIPunctuation(lower.value)) {
                    out.append(lower)
                    if offsets { sources.append(offset..<(offset + width)) }
                }
            }
        }
        return (out, sources)
    }

    /// Python lower-cases capital sigma to final sigma when a cased letter precedes it and none follows
    /// (case-ignorable characters skipped on both sides).
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], _ index: Int) -> Bool {
        var i = index - 1
        while i >= 0 && scalars[i].properties.isCaseIgnorable { i -= 1 }
        guard i >= 0 && scalars[i].properties.isCased else { return false }
        var j = index + 1
        while j < scalars.count && scalars[j].properties.isCaseIgnorable { j += 1 }
        return !(j < scalars.count && scalars[j].properties.isCased)
    }

    private static func isArticle(_ run: ArraySlice<Unicode.Scalar>) -> Bool {
        switch run.count {
        case 1: return run.first == "a"
        case 2: return run.first == "a" && run.last == "n"
        case 3: return run.elementsEqual(["t", "h", "e"])
        default: return false
        }
    }

    /// Python's `string.punctuation`: ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``.
    @inline(__always)
    static func isASCIIPunctuation(_ v: UInt32) -> Bool {
        (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
    }

    /// A word character of Python's Unicode `\w`: alphabetic (L*), any numeric character, or underscore.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return scalar.properties.numericType != nil
        }
    }

    /// Python's `str.isspace`: the Unicode White_Space characters plus the separators U+001C–U+001F.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return v == 0x20 || (0x09...0x0D).contains(v) || (0x1C...0x1F).contains(v) }
        return scalar.properties.isWhitespace
    }
}
