import Foundation
import GRDB

/// What the store records about one trained reader; the weights live in `<database>.readers/<name>/`.
public struct ReaderRecord: Codable, Equatable, Sendable {
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

extension ReaderRecord: NamedRecord {
    public static let databaseTableName = "readers"
    public static let listingOrder = "updated_at DESC, name"

    /// The schema step that creates the table (registered in `StoreMigrations.all`).
    public static func createTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS readers (
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
}

/// The `readers` table: one row per named reader (`all()` lists the most recently updated first).
public typealias ReaderCatalog = NamedCatalog<ReaderRecord>

extension CorpusStore {
    /// The catalog of trained readers.
    public var readers: ReaderCatalog { get throws { try ReaderCatalog(database: pool) } }

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
