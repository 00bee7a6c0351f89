/// Turns user text into an FTS5 query that can only mean "any of these words".
///
/// The text is cut into runs of letters and digits (as FTS5's unicode61 tokenizer does), each run becomes a
/// double-quoted string (quotes inside doubled, though the cut leaves none), and the strings are joined with
/// OR. Operators (`AND`, `OR`, `NOT`, `NEAR(`), prefixes (`*`), column filters (`title:`) and stray quotes
/// thus lose their meaning; the query itself is bound as a parameter, so SQL never sees user text.
public enum FTSQuery {
    /// The FTS5 query for `text`, or nil when it holds no word at all.
    public static func anyTerm(_ text: String) -> String? {
        var seen = Set<String>()
        var terms: [String] = []
        for term in words(in: text) where seen.insert(term.lowercased()).inserted {
            terms.append("\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
        }
        return terms.isEmpty ? nil : terms.joined(separator: " OR ")
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
