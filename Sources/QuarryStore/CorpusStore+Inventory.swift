import GRDB

/// A table in the database with its row count: what `quarry stats` lists as indexes and caches.
public struct StoredTable: Equatable, Sendable {
    public var name: String
    /// "table", or "fts5 index" for full-text indexes.
    public var kind: String
    public var rows: Int
}

extension CorpusStore {
    /// User tables (FTS5 shadow tables left out) with their row counts.
    public func tables() throws -> [StoredTable] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                AND name NOT LIKE 'grdb_%' ORDER BY name
                """)
            let virtual = Set(rows.compactMap { row -> String? in
                let sql: String = row[1] ?? ""
                return sql.uppercased().hasPrefix("CREATE VIRTUAL TABLE") ? row[0] : nil
            })
            return try rows.compactMap { row -> StoredTable? in
                let name: String = row[0]
                // FTS5 keeps its index in shadow tables named <table>_data, _idx, _docsize, _config, _content.
                if virtual.contains(where: { name.hasPrefix($0 + "_") }) { return nil }
                let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted)") ?? 0
                return StoredTable(name: name, kind: virtual.contains(name) ? "fts5 index" : "table", rows: count)
            }
        }
    }

    /// Names of the migrations applied (by this module and by later stages), in the order they ran.
    public func appliedMigrations() throws -> [String] {
        try pool.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
    }

    /// Problems found by SQLite's integrity check and FTS5's own check of the index against `passages`;
    /// empty when the database is consistent.
    public func integrityProblems() throws -> [String] {
        // The FTS5 check is spelled as an INSERT, so it needs the writer connection (it changes nothing).
        try pool.writeWithoutTransaction { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            do {
                try db.execute(sql: "INSERT INTO passages_fts (passages_fts, rank) VALUES ('integrity-check', 1)")
            } catch let error as DatabaseError {
                problems.append("full-text index: \(error.message ?? "\(error)")")
            }
            return problems
        }
    }
}
