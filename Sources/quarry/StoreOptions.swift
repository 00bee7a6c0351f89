import ArgumentParser
import Foundation
import QuarryStore

/// Options every command that touches the database shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The database file (default: $QUARRY_DB, else quarry.sqlite in the working directory).")
    var db: String?

    @Flag(name: .long, help: "Print nothing but results and errors.")
    var quiet = false

    @Flag(name: .long, help: "Show progress on stderr even when it is not a terminal.")
    var progress = false

    /// The database path the options select.
    var databaseURL: URL {
        let path = db ?? ProcessInfo.processInfo.environment["QUARRY_DB"] ?? "quarry.sqlite"
        return URL(fileURLWithPath: path)
    }

    /// Whether to draw progress: asked for, or stderr is a terminal, and never when quiet.
    var showsProgress: Bool {
        !quiet && (progress || isatty(STDERR_FILENO) == 1)
    }

    /// Writes a line for the user on stderr, unless `--quiet`.
    func note(_ line: String) {
        if !quiet { StandardError.write(line + "\n") }
    }

    /// Opens the database, creating it when missing (for commands that write).
    func openStore() throws -> CorpusStore {
        try CorpusStore(url: databaseURL)
    }

    /// Opens a database that must already exist (for commands that only read).
    func openExistingStore() throws -> CorpusStore {
        guard FileManager.default.fileExists(atPath: databaseURL.path) else {
            StandardError.write("error: no database at \(databaseURL.path) (run `quarry ingest` first, or pass --db)\n")
            throw ExitCode.failure
        }
        return try openStore()
    }

    /// The help text of the commands that take the writer lock.
    static let writerLockHelp = """
        One writer at a time: while another ingest, embed or train runs on the same database, this command \
        stops at once with an error naming it (the lock is <db>-writer, freed however its holder exits); \
        search, ask, eval and stats run beside it.
        """

    /// The database's writer lock for `purpose` (shown to whoever is refused), or a clear refusal naming the
    /// process that holds it. Every command that writes for minutes (ingest, embed, train) takes it, so two
    /// of them never interleave their writes to the store or its caches, retrievers and readers. Keep the
    /// lock alive (`withExtendedLifetime`) until the work is done.
    func writerLock(for purpose: String) throws -> WriterLock {
        do {
            return try WriterLock(databaseURL: databaseURL, purpose: purpose)
        } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
    }
}

/// Writes to standard error (progress, summaries, diagnostics).
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Prints an Encodable value as JSON on standard output.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
