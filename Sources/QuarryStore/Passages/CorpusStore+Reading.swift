import GRDB

extension CorpusStore {
    /// Number of stored passages.
    public func passageCount() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM passages") ?? 0 }
    }

    /// Number of stored documents.
    public func documentCount() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM documents") ?? 0 }
    }

    /// The smallest and largest passage id, or nil when there are no passages. Ids are in reading order but
    /// may have gaps where a changed document's passages were replaced.
    public func passageIDBounds() throws -> ClosedRange<Int64>? {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT min(id), max(id) FROM passages")
            guard let low: Int64 = row?[0], let high: Int64 = row?[1] else { return nil }
            return low...high
        }
    }

    /// Passages whose ids fall in `ids`, in id order (a primary-key range scan).
    public func passages(in ids: ClosedRange<Int64>) throws -> [Passage] {
        try pool.read { db in
            try Passage.fetchAll(db, sql: "SELECT \(Passage.columns) FROM passages WHERE id BETWEEN ? AND ? ORDER BY id",
                                 arguments: [ids.lowerBound, ids.upperBound])
        }
    }

    /// Up to `limit` passages with ids greater than `id`, in id order: pages through the corpus without
    /// caring about gaps (`after: 0` starts at the beginning).
    public func passages(after id: Int64, limit: Int) throws -> [Passage] {
        try pool.read { db in
            try Passage.fetchAll(db, sql: "SELECT \(Passage.columns) FROM passages WHERE id > ? ORDER BY id LIMIT ?",
                                 arguments: [id, limit])
        }
    }

    /// Every passage in id order, handed to `body` a page of `pageSize` at a time (each page its own read, so
    /// a whole corpus is never held at once).
    public func forEachPassagePage(pageSize: Int = 4096, _ body: ([Passage]) throws -> Void) throws {
        var last: Int64 = 0
        while true {
            let page = try passages(after: last, limit: pageSize)
            guard let end = page.last else { return }
            try body(page)
            last = end.id
        }
    }

    /// One passage by id.
    public func passage(id: Int64) throws -> Passage? {
        try pool.read { db in
            try Passage.fetchOne(db, sql: "SELECT \(Passage.columns) FROM passages WHERE id = ?", arguments: [id])
        }
    }

    /// The passages of the documents titled as given, by title, each title's in document and position order
    /// (documents sharing a title are listed one after the other). Titles with no document are left out.
    public func passages(titled titles: Set<String>) throws -> [String: [Passage]] {
        guard !titles.isEmpty else { return [:] }
        let sorted = titles.sorted()
        return try pool.read { db in
            var result: [String: [Passage]] = [:]
            for chunk in stride(from: 0, to: sorted.count, by: 500) {
                let part = Array(sorted[chunk..<min(sorted.count, chunk + 500)])
                let sql = Self.passagesTitledSQL(count: part.count)
                for passage in try Passage.fetchAll(db, sql: sql, arguments: StatementArguments(part)) {
                    result[passage.title, default: []].append(passage)
                }
            }
            return result
        }
    }

    /// The lookup of `passages(titled:)` for `count` titles: through `documents_by_title`, then each
    /// document's passages in order.
    static func passagesTitledSQL(count: Int) -> String {
        let marks = [String](repeating: "?", count: count).joined(separator: ",")
        return """
            SELECT \(Passage.columns) FROM passages
            WHERE document_id IN (SELECT id FROM documents WHERE title IN (\(marks))) ORDER BY document_id, ordinal
            """
    }

    /// Whether any document is stored under `source` (one probe of the (source, external id) index).
    public func holdsDocuments(source: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM documents WHERE source = ?)", arguments: [source]) ?? false
        }
    }

    /// Every source with its document and passage counts, by name.
    public func sources() throws -> [SourceSummary] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.source, count(DISTINCT d.id), count(p.id)
                FROM documents d LEFT JOIN passages p ON p.document_id = d.id
                GROUP BY d.source ORDER BY d.source
                """).map { SourceSummary(source: $0[0], documents: $0[1], passages: $0[2]) }
        }
    }
}
