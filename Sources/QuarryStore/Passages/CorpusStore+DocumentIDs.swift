import GRDB

/// Passages and the documents' own ids (a TREC DOCNO, a BEIR `_id`): what relevance judgements name.
extension CorpusStore {
    /// The external id of each passage's document, by passage id; ids not in the store are left out.
    public func documentExternalIDs(passageIDs: [Int64]) throws -> [Int64: String] {
        let unique = Array(Set(passageIDs))
        return try pool.read { db in
            var result: [Int64: String] = [:]
            for chunk in stride(from: 0, to: unique.count, by: 500) {
                let part = Array(unique[chunk..<min(unique.count, chunk + 500)])
                let marks = [String](repeating: "?", count: part.count).joined(separator: ",")
                let rows = try Row.fetchAll(db, sql: """
                    SELECT p.id, d.external_id FROM passages p JOIN documents d ON d.id = p.document_id
                    WHERE p.id IN (\(marks))
                    """, arguments: StatementArguments(part))
                for row in rows { result[row[0]] = row[1] }
            }
            return result
        }
    }

    /// The passage ids of the documents with these external ids, each document's in reading order; ids with no
    /// document are left out. Documents of different sources that share an external id are merged.
    public func passageIDs(ofDocuments externalIDs: Set<String>) throws -> [String: [Int64]] {
        let sorted = externalIDs.sorted()
        return try pool.read { db in
            var result: [String: [Int64]] = [:]
            for chunk in stride(from: 0, to: sorted.count, by: 500) {
                let part = Array(sorted[chunk..<min(sorted.count, chunk + 500)])
                let marks = [String](repeating: "?", count: part.count).joined(separator: ",")
                let rows = try Row.fetchAll(db, sql: """
                    SELECT d.external_id, p.id FROM documents d JOIN passages p ON p.document_id = d.id
                    WHERE d.external_id IN (\(marks)) ORDER BY d.id, p.ordinal
                    """, arguments: StatementArguments(part))
                for row in rows { result[row[0], default: []].append(row[1]) }
            }
            return result
        }
    }
}
