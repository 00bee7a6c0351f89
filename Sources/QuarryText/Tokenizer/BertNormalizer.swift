import Foundation

/// What BERT's uncased normaliser and pre-tokenizer make of one Unicode scalar of the input, as the reference
/// (Hugging Face `BertNormalizer` + `BertPreTokenizer`) does it: clean text, isolate CJK ideographs, strip
/// accents (NFD, then drop nonspacing marks), lower-case, then split on whitespace and punctuation.
///
/// The answer depends on the scalar alone, so it is computed once per scalar: a table covers the Basic
/// Multilingual Plane (built on first use, shared by every tokenizer); rarer scalars are computed on the spot.
struct ScalarNormalization {
    enum Kind: UInt8 {
        /// Part of a word: its outputs extend the current word (punctuation outputs stand alone).
        case word
        /// Removed: NUL, U+FFFD, control and format characters, unassigned code points.
        case drop
        /// Whitespace: ends the current word.
        case space
        /// A CJK ideograph: a word by itself.
        case ideograph
    }

    /// Marks a punctuation scalar in `outputs`.
    static let punctuationBit: UInt32 = 1 << 31

    let kind: Kind
    /// Normalised scalars (value in the low 21 bits, `punctuationBit` set for punctuation).
    let outputs: [UInt32]

    init(_ scalar: Unicode.Scalar) {
        var out: [UInt32] = []
        let decomposed = scalar.value < 0x80 ? [scalar] : Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
        kind = ScalarNormalization.normalize(scalar, decomposed: decomposed[...], into: &out)
        outputs = out
    }

    /// The scalar's kind; its normalised scalars are appended to `out`. `decomposed` is its NFD.
    static func normalize(_ scalar: Unicode.Scalar, decomposed: ArraySlice<Unicode.Scalar>, into out: inout [UInt32]) -> Kind {
        let value = scalar.value
        let properties = scalar.properties
        if value == 0 || value == 0xFFFD { return .drop }
        if value == 0x09 || value == 0x0A || value == 0x0D { return .space }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return .drop
        default: break
        }
        if properties.isWhitespace { return .space }
        for part in decomposed where part.properties.generalCategory != .nonspacingMark {
            if part.properties.changesWhenLowercased {
                for s in part.properties.lowercaseMapping.unicodeScalars { out.append(tagged(s)) }
            } else {
                out.append(tagged(part))
            }
        }
        return isIdeograph(value) ? .ideograph : .word
    }

    @inline(__always)
    private static func tagged(_ s: Unicode.Scalar) -> UInt32 {
        s.value | (isPunctuation(s) ? punctuationBit : 0)
    }

    /// CJK Unified Ideographs and their extensions and compatibility blocks, the ranges BERT treats as Chinese.
    static func isIdeograph(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    /// ASCII punctuation (which includes symbols such as `$`, `+`, `^`, `|`) and every Unicode P* category.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
}

/// The normalisation of every BMP scalar, flattened: `entries[v]` packs kind (bits 30–31), output count
/// (bits 24–29) and the start of the outputs in `outputs` (bits 0–23).
final class ScalarNormalizationTable: Sendable {
    static let shared = ScalarNormalizationTable()

    let entries: [UInt32]
    let outputs: [UInt32]

    private init() {
        var entries = [UInt32](repeating: 0, count: 0x10000)
        var outputs: [UInt32] = []
        outputs.reserveCapacity(0x11000)
        let (decomposed, starts) = ScalarNormalizationTable.decompositions()
        for v in 0..<0x10000 {
            guard let scalar = Unicode.Scalar(UInt32(v)) else {
                entries[v] = UInt32(ScalarNormalization.Kind.drop.rawValue) << 30   // surrogate code points
                continue
            }
            let first = outputs.count
            let kind = ScalarNormalization.normalize(scalar, decomposed: decomposed[starts[v]..<starts[v + 1]], into: &outputs)
            entries[v] = UInt32(kind.rawValue) << 30 | UInt32(outputs.count - first) << 24 | UInt32(first)
        }
        self.entries = entries
        self.outputs = outputs
    }

    /// The NFD of every BMP scalar from one normalisation call instead of 65,536: the scalars are joined
    /// with NUL between them; NUL is a starter (combining class 0), so no reordering crosses it, and no
    /// decomposition produces it. Returns the decompositions back to back and, for scalar v, its range
    /// `starts[v]..<starts[v + 1]` (empty for surrogates).
    private static func decompositions() -> (scalars: [Unicode.Scalar], starts: [Int]) {
        var joined = String.UnicodeScalarView()
        for v in UInt32(0)..<0x10000 {
            if let scalar = Unicode.Scalar(v) { joined.append(scalar); joined.append("\u{0}") }
        }
        let all = Array(String(joined).decomposedStringWithCanonicalMapping.unicodeScalars)
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(all.count)
        var starts = [Int](repeating: 0, count: 0x10001)
        var v = 0
        var i = 0
        while v < 0x10000 {
            starts[v] = scalars.count
            if Unicode.Scalar(UInt32(v)) != nil {
                // Scalar 0 is itself NUL: take it, then look for its separator.
                if v == 0 { scalars.append(all[i]); i += 1 }
                while all[i] != "\u{0}" { scalars.append(all[i]); i += 1 }
                i += 1
            }
            v += 1
        }
        starts[0x10000] = scalars.count
        return (scalars, starts)
    }
}
