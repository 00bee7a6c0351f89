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

    /// `decomposed` is the scalar's canonical decomposition (NFD), when the caller already has it.
    init(_ scalar: Unicode.Scalar, decomposed: [Unicode.Scalar]? = nil) {
        let value = scalar.value
        let properties = scalar.properties
        if value == 0 || value == 0xFFFD { kind = .drop; outputs = []; return }
        if value == 0x09 || value == 0x0A || value == 0x0D { kind = .space; outputs = []; return }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned:
            kind = .drop; outputs = []; return
        default: break
        }
        if properties.isWhitespace { kind = .space; outputs = []; return }
        kind = ScalarNormalization.isIdeograph(value) ? .ideograph : .word
        var out: [UInt32] = []
        let parts = value < 0x80 ? [scalar]
            : decomposed ?? Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
        for part in parts where part.properties.generalCategory != .nonspacingMark {
            let lower = part.properties.changesWhenLowercased ? Array(part.properties.lowercaseMapping.unicodeScalars) : [part]
            for s in lower {
                out.append(s.value | (ScalarNormalization.isPunctuation(s) ? ScalarNormalization.punctuationBit : 0))
            }
        }
        outputs = out
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
        let decompositions = ScalarNormalizationTable.decompositions()
        for v in 0..<0x10000 {
            guard let scalar = Unicode.Scalar(UInt32(v)) else {
                entries[v] = UInt32(ScalarNormalization.Kind.drop.rawValue) << 30   // surrogate code points
                continue
            }
            let n = ScalarNormalization(scalar, decomposed: decompositions[v])
            entries[v] = UInt32(n.kind.rawValue) << 30 | UInt32(n.outputs.count) << 24 | UInt32(outputs.count)
            outputs.append(contentsOf: n.outputs)
        }
        self.entries = entries
        self.outputs = outputs
    }

    /// The NFD of every BMP scalar from one normalisation call instead of 65,536: the scalars are joined
    /// with NUL between them; NUL is a starter (combining class 0), so no reordering crosses it, and no
    /// decomposition produces it. Indexed by scalar value; nil for surrogates.
    private static func decompositions() -> [[Unicode.Scalar]?] {
        var joined = String.UnicodeScalarView()
        for v in UInt32(0)..<0x10000 {
            if let scalar = Unicode.Scalar(v) { joined.append(scalar); joined.append("\u{0}") }
        }
        let decomposed = Array(String(joined).decomposedStringWithCanonicalMapping.unicodeScalars)
        var result = [[Unicode.Scalar]?](repeating: nil, count: 0x10000)
        var v: UInt32 = 0
        var current: [Unicode.Scalar] = []
        var awaitingNul = false   // the scalar NUL itself comes first, then its separator
        for s in decomposed {
            if s == "\u{0}" && (v != 0 || awaitingNul) {
                result[Int(v)] = current
                current = []
                awaitingNul = false
                v += 1
                while v < 0x10000 && Unicode.Scalar(v) == nil { v += 1 }
                continue
            }
            if v == 0 { awaitingNul = true }
            current.append(s)
        }
        return result
    }
}
