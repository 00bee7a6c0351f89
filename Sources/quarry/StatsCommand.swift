import ArgumentParser
import Foundation
import QuarryRetrieval
import QuarryStore

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show what the database holds: documents, passages, sources, size, indexes and caches.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the figures as JSON.")
    var json = false

    func run() throws {
        let corpus = try store.openExistingStore()
        // Totals from the per-source figures: one query, so one snapshot even while an ingest commits.
        let sources = try corpus.sources()
        let stats = StatsJSON(
            database: corpus.url.path, bytes: corpus.fileSize(),
            documents: sources.reduce(0) { $0 + $1.documents }, passages: sources.reduce(0) { $0 + $1.passages },
            sources: sources.map { .init(source: $0.source, documents: $0.documents, passages: $0.passages) },
            tables: try corpus.tables().map { .init(name: $0.name, kind: $0.kind, rows: $0.rows) },
            migrations: try corpus.appliedMigrations(),
            caches: try CacheInventoryEntry.all(in: corpus))
        if json {
            try JSONOutput.print(stats)
        } else {
            printText(stats)
        }
    }

    private func printText(_ stats: StatsJSON) {
        print("database:  \(stats.database) (\(Format.megabytes(stats.bytes)))")
        print("documents: \(stats.documents)")
        print("passages:  \(stats.passages)")
        print("sources:")
        for source in stats.sources {
            print("  \(source.source): \(source.documents) documents, \(source.passages) passages")
        }
        print("tables, indexes and caches:")
        for table in stats.tables { print("  \(table.name) (\(table.kind)): \(table.rows) rows") }
        print("schema: \(stats.migrations.joined(separator: ", "))")
        if !stats.caches.isEmpty {
            print("embedding caches:")
            for cache in stats.caches { print("  " + cache.line) }
        }
    }
}

struct StatsJSON: Encodable {
    struct Source: Encodable {
        var source: String
        var documents: Int
        var passages: Int
    }

    struct Table: Encodable {
        var name: String
        var kind: String
        var rows: Int
    }

    var database: String
    var bytes: Int64
    var documents: Int
    var passages: Int
    var sources: [Source]
    var tables: [Table]
    var migrations: [String]
    var caches: [CacheInventoryEntry]
}
