import Foundation
import GRDB

/// A row of one of the store's catalogs (embedding caches, trained retrievers, readers): one row per name,
/// the record's stored properties its columns, in snake_case.
public protocol NamedRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    var name: String { get }
    /// Creates the table: a step of `StoreMigrations`, or done by `NamedCatalog` on a database without it.
    static func createTable(_ db: Database) throws
    /// SQL ordering of `NamedCatalog.all()`.
    static var listingOrder: String { get }
}

extension NamedRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
    public static var listingOrder: String { "name" }
}

/// One catalog table: look a record up by name, list, save (replacing the row of that name), remove.
public struct NamedCatalog<Record: NamedRecord>: Sendable {
    public let database: any DatabaseWriter

    /// Opens the catalog, creating its table when the database lacks it (a bare database in tests, a store
    /// from before the table's migration); a prepared store is only read.
    public init(database: any DatabaseWriter) throws {
        self.database = database
        try StoreMigrations.ensureTable(Record.databaseTableName, in: database, create: { try Record.createTable($0) })
    }

    /// The record named `name`, or nil.
    public func record(named name: String) throws -> Record? {
        try database.read { try Record.fetchOne($0, key: name) }
    }

    /// Every record, in `Record.listingOrder`.
    public func all() throws -> [Record] {
        try database.read { try Record.order(sql: Record.listingOrder).fetchAll($0) }
    }

    /// Creates or replaces the row of `record.name`.
    public func save(_ record: Record) throws {
        try database.write { try record.insert($0, onConflict: .replace) }
    }

    public func remove(named name: String) throws {
        _ = try database.write { try Record.deleteOne($0, key: name) }
    }
}

/// Where a store keeps what its database file does not hold, each a folder beside it named after it:
/// `<database>.caches/`, `<database>.retrievers/`, `<database>.readers/`.
public enum StoreFolder: String, Sendable {
    case caches, retrievers, readers

    public func url(forDatabase databaseURL: URL) -> URL {
        databaseURL.deletingLastPathComponent().appendingPathComponent(databaseURL.lastPathComponent + "." + rawValue)
    }
}
