/// The rule for names that become file or folder names beside the database (embedding caches, trained
/// retrievers, readers): ASCII letters, digits, `-`, `_` and `.`, not starting with `.`, at most 100 bytes —
/// so no name can leave its folder, hide, or carry SQL or FTS5 syntax.
public enum StoredName {
    public static let maxLength = 100

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", name.utf8.count <= maxLength else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
        }
    }
}
