import Foundation
import GRDB

/// What the store records about one trained reader; the weights live in `<database>.readers/<name>/`.
public struct ReaderRecord: Equatable, Sendable {
    public var name: String
    /// The reader folder (encoder model folder, heads, configuration).
    public var path: String
    /// The model folder training started from.
    public var baseModel: String
    /// How it was trained: `gold-context` or `retrieved:<retriever>`.
    public var supervision: String
    public var steps: Int
    public var questions: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, path: String, baseModel: String, supervision: String, steps: Int, questions: Int,
                createdAt: Date, updatedAt: Date) {
        self.name = name; self.path = path; self.baseModel = baseModel; self.supervision = supervision
        self.steps = steps; self.questions = questions; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}

/// The `readers` table: one row per named reader.
public struct ReaderCatalog: Sendable {
    public let database: any DatabaseWriter

    public init(database: any DatabaseWriter) { self.database = database }

    /// The schema step that creates the table (registered in `StoreMigrations.all`).
    static func createTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE readers (
                name TEXT PRIMARY KEY NOT NULL,
                path TEXT NOT NULL,
                base_model TEXT NOT NULL,
                supervision TEXT NOT NULL,
                steps INTEGER NOT NULL CHECK (steps >= 0),
                questions INTEGER NOT NULL CHECK (questions >= 0),
                created_at DATETIME NOT NULL,
                updated_at DATETIME NOT NULL
            )
            """)
    }

    public func record(named name: String) throws -> ReaderRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM readers WHERE name = ?", arguments: [name]).map(Self.record(from:))
        }
    }

    /// Every reader, most recently updated first.
    public func all() throws -> [ReaderRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM readers ORDER BY updated_at DESC, name").map(Self.record(from:))
        }
    }

    /// Creates or replaces the row of `record.name` (keeping its creation date when it exists).
    public func save(_ record: ReaderRecord) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO readers (name, path, base_model, supervision, steps, questions, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET path = excluded.path, base_model = excluded.base_model,
                    supervision = excluded.supervision, steps = excluded.steps, questions = excluded.questions,
                    updated_at = excluded.updated_at
                """, arguments: [record.name, record.path, record.baseModel, record.supervision, record.steps,
                                 record.questions, record.createdAt, record.updatedAt])
        }
    }

    public func remove(named name: String) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM readers WHERE name = ?", arguments: [name]) }
    }

    private static func record(from row: Row) -> ReaderRecord {
        ReaderRecord(name: row["name"], path: row["path"], baseModel: row["base_model"], supervision: row["supervision"],
                     steps: row["steps"], questions: row["questions"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}

extension CorpusStore {
    /// The catalog of trained readers.
    public var readers: ReaderCatalog { ReaderCatalog(database: pool) }

    /// Folder holding the readers of the store at `databaseURL`: `<database>.readers/`.
    public static func readersDirectory(forDatabase databaseURL: URL) -> URL {
        databaseURL.deletingLastPathComponent().appendingPathComponent(databaseURL.lastPathComponent + ".readers")
    }

    /// The first `limit` passage ids in id order (row i of an embedding cache is the i-th of them).
    public func passageIDs(limit: Int) throws -> [Int64] {
        try pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM passages ORDER BY id LIMIT ?", arguments: [limit])
        }
    }

    /// The passages with the given ids, in the order given (ids not found are left out).
    public func passages(ids: [Int64]) throws -> [Passage] {
        guard !ids.isEmpty else { return [] }
        let found: [Int64: Passage] = try pool.read { db in
            var result: [Int64: Passage] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = Array(ids[chunk..<min(ids.count, chunk + 500)])
                let marks = part.map { _ in "?" }.joined(separator: ",")
                for passage in try Passage.fetchAll(db, sql: "SELECT \(Passage.columns) FROM passages WHERE id IN (\(marks))",
                                                    arguments: StatementArguments(part)) {
                    result[passage.id] = passage
                }
            }
            return result
        }
        return ids.compactMap { found[$0] }
    }
}
