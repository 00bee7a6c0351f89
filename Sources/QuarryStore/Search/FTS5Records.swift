import Foundation

/// The two small records of an FTS5 index that BM25 needs besides the postings, decoded from the blobs
/// FTS5 keeps in its shadow tables: the averages record (`<table>_data` row 1: the row count, then the
/// token total of each column) and one row's sizes (`<table>_docsize.sz`: the token count of each column).
/// Both are runs of SQLite varints.
enum FTS5Records {
    /// Row count and the token count summed over all columns, as FTS5's xRowCount and
    /// xColumnTotalSize(-1) report them; nil when the blob is not a well-formed averages record.
    static func averages(_ blob: Data) -> (rows: Int64, tokens: Int64)? {
        guard let values = varints(blob), values.count >= 2 else { return nil }
        return (values[0], values.dropFirst().reduce(0, +))
    }

    /// A row's token count over all columns (FTS5's xColumnSize(-1)); nil when the blob is malformed.
    static func rowTokens(_ blob: Data) -> Int64? {
        varints(blob)?.reduce(0, +)
    }

    /// Every varint in `blob` in order (big-endian groups of 7 bits, high bit set on all but the last; a
    /// ninth byte contributes all 8 bits), or nil when the blob ends inside one.
    static func varints(_ blob: Data) -> [Int64]? {
        var values: [Int64] = []
        var value: UInt64 = 0
        var length = 0
        for byte in blob {
            length += 1
            if length == 9 {
                values.append(Int64(bitPattern: value << 8 | UInt64(byte)))
            } else {
                value = value << 7 | UInt64(byte & 0x7F)
                guard byte & 0x80 == 0 else { continue }
                values.append(Int64(bitPattern: value))
            }
            value = 0
            length = 0
        }
        return length == 0 ? values : nil
    }
}
