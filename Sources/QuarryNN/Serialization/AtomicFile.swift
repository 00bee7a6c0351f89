import Foundation

/// Writes a file whole or not at all: into a temporary beside it (`.<name>.<process>.tmp`), synced, then
/// renamed over the old file, so a reader never sees a partial file and a kill leaves the old one. Unlike
/// Foundation's atomic writes, whose temporaries a kill leaves behind under random names, the next write of
/// the same file removes the temporaries of writers that died.
public enum AtomicFile {
    /// Writes `data` to `url`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(contentsOf: data) }
    }

    /// Writes `url` with whatever `body` writes to the temporary's handle.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        removeStaleTemporaries(of: url)
        let temporary = temporaryURL(of: url, process: getpid())
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw FileWriteError(path: url.path, reason: "cannot create \(temporary.lastPathComponent) (\(String(cString: strerror(errno))))")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try body(handle)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw FileWriteError(path: url.path, reason: "write failed (\(error.localizedDescription))")
        }
        // rename(2) replaces the old file in one step: never a moment without either whole file.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FileWriteError(path: url.path, reason: "cannot rename \(temporary.lastPathComponent) into place (\(reason))")
        }
    }

    /// `.<name>.<process>.tmp` beside `url`: the file being written, named by its writer.
    private static func temporaryURL(of url: URL, process: pid_t) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(process).tmp")
    }

    /// Removes the temporaries of `url` that killed writers left (up to a model's size each); a live
    /// process's temporary is its own business.
    private static func removeStaleTemporaries(of url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).", suffix = ".tmp"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            guard let process = pid_t(name.dropFirst(prefix.count).dropLast(suffix.count)), process != getpid(),
                  kill(process, 0) != 0 && errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporaryURL(of: url, process: process))
        }
    }
}

/// A file that could not be written, with the system's reason.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
