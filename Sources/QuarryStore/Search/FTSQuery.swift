import Foundation

/// Turns user text into an FTS5 query that can only mean "any of these words".
///
/// The text is cut into runs of letters and digits (as FTS5's unicode61 tokenizer does), each run becomes a
/// double-quoted string (quotes inside doubled, though the cut leaves none), and the strings are joined with
/// OR. Operators (`AND`, `OR`, `NOT`, `NEAR(`), prefixes (`*`), column filters (`title:`) and stray quotes
/// thus lose their meaning; the query itself is bound as a parameter, so SQL never sees user text.
public enum FTSQuery {
    /// The FTS5 query for `text`, or nil when it holds no word at all.
    public static func anyTerm(_ text: String) -> String? {
        anyTerm(of: terms(in: text))
    }

    /// The FTS5 query matching any of `terms`, or nil for none.
    static func anyTerm(of terms: [String]) -> String? {
        let quoted = terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return quoted.isEmpty ? nil : quoted.joined(separator: " OR ")
    }

    /// The distinct words of `text` (compared without case or diacritics), in order of appearance.
    static func terms(in text: String) -> [String] {
        var seen = Set<String>()
        return words(in: text).filter { seen.insert(indexForm(of: $0)).inserted }
    }

    /// A word as the unicode61 tokenizer (remove_diacritics 2) stores it: case and diacritics folded.
    static func indexForm(of word: String) -> String {
        word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Runs of letters, digits and combining marks.
    static func words(in text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isWordScalar(scalar) {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }
}
