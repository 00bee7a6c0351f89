import Foundation

/// One long-running writer per database at a time. `quarry ingest` (and any other stage that writes for
/// minutes) holds this while it runs, so a second one is refused with a clear message instead of
/// interleaving its batches with the first. SQLite alone would serialise single transactions, not whole
/// jobs. The lock is an advisory `flock` on `<database>-writer`, released by the kernel when the process
/// exits, however it exits (a killed ingest leaves nothing to clean up).
public final class WriterLock {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock for the database at `databaseURL`, or throws `WriterLockError.busy` at once when
    /// another process holds it. `purpose` ("ingest") appears in the other process's refusal message.
    public init(databaseURL: URL, purpose: String) throws {
        path = databaseURL.path + "-writer"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw WriterLockError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw WriterLockError.busy(database: databaseURL.path, holder: holder)
        }
        // Who holds it, for the message the next process prints.
        let note = "\(purpose) (process \(getpid()))\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

public enum WriterLockError: Error, CustomStringConvertible {
    case busy(database: String, holder: String)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case let .busy(database, holder):
            return "another quarry process is writing to \(database)\(holder.isEmpty ? "" : ": \(holder)"); "
                + "run this again when it has finished"
        case let .cannotCreate(path, reason):
            return "cannot create the writer lock \(path): \(reason)"
        }
    }
}
