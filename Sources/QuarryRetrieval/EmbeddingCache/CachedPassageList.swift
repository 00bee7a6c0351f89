import Foundation
import Glibc
import QuarryStore

/// Which passage each cache row holds: `<name>.passages` beside the float file, one 16-byte entry per row
/// (passage id, then a 64-bit fingerprint of the passage's title and text, both little-endian). Search maps
/// rows to passage ids through it, and checks compare fingerprints with the store to find changed passages.
public struct CachedPassageEntry: Equatable, Sendable {
    public var passageID: Int64
    public var fingerprint: UInt64

    public init(passageID: Int64, fingerprint: UInt64) {
        self.passageID = passageID
        self.fingerprint = fingerprint
    }

    /// FNV-1a over the UTF-8 of title, a zero byte and text: cheap, and any edit changes it.
    public static func fingerprint(title: String, text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in title.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = hash &* 0x0000_0100_0000_01b3
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    /// The entry a stored passage gets.
    public init(_ passage: Passage) {
        self.init(passageID: passage.id, fingerprint: Self.fingerprint(title: passage.title, text: passage.text))
    }
}

public enum CachedPassageList {
    static let entryBytes = 16

    /// Where the list of `cache` lives.
    public static func url(for cache: EmbeddingCache) -> URL {
        cache.fileURL.deletingPathExtension().appendingPathExtension("passages")
    }

    /// The first `count` entries (all whole entries when nil). Missing file: no entries.
    public static func read(for cache: EmbeddingCache, count: Int? = nil) throws -> [CachedPassageEntry] {
        let url = url(for: cache)
        guard FileManager.default.fileExists(atPath: url.path) else {
            if let count, count > 0 { throw EmbeddingJobError.damaged(path: url.path, reason: "missing, but the store records \(count) rows") }
            return []
        }
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        let available = data.count / entryBytes
        let wanted = count ?? available
        guard wanted <= available else {
            throw EmbeddingJobError.damaged(path: url.path, reason: "\(available) entries, but the store records \(wanted) rows")
        }
        return data.withUnsafeBytes { raw in
            (0..<wanted).map { i in
                CachedPassageEntry(
                    passageID: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * entryBytes, as: Int64.self)),
                    fingerprint: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * entryBytes + 8, as: UInt64.self)))
            }
        }
    }

    /// The entry of every passage of `store`, in id order (the order `quarry embed` and the trainer use).
    public static func entries(of store: CorpusStore) throws -> [CachedPassageEntry] {
        var entries: [CachedPassageEntry] = []
        try store.forEachPassagePage { entries += $0.map(CachedPassageEntry.init) }
        return entries
    }

    /// The passage id of each of the first `count` rows.
    public static func passageIDs(for cache: EmbeddingCache, count: Int) throws -> [Int64] {
        try read(for: cache, count: count).map(\.passageID)
    }
}

/// Appends entries to a passage list. Entries past the cache's recorded row count are cut off when the
/// writer opens, exactly as the float file is, so both files always agree on the completed rows.
final class CachedPassageListWriter {
    private var fd: Int32
    private let path: String
    private(set) var count: Int

    /// Opens (creating) the list of `cache`, keeping its first `keep` entries.
    init(cache: EmbeddingCache, keep: Int) throws {
        path = CachedPassageList.url(for: cache).path
        count = keep
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        // From here a throw runs deinit, which closes the file.
        guard fd >= 0 else { throw Self.ioError(path, "open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.ioError(path, "stat") }
        guard Int(info.st_size) >= keep * CachedPassageList.entryBytes else {
            throw EmbeddingJobError.damaged(path: path, reason: "shorter than the \(keep) rows the store records")
        }
        guard ftruncate(fd, off_t(keep * CachedPassageList.entryBytes)) == 0 else { throw Self.ioError(path, "truncate") }
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    /// Writes and syncs `entries` after the current ones.
    func append(_ entries: [CachedPassageEntry]) throws {
        var bytes = [UInt8](repeating: 0, count: entries.count * CachedPassageList.entryBytes)
        bytes.withUnsafeMutableBytes { raw in
            for (i, entry) in entries.enumerated() {
                raw.storeBytes(of: entry.passageID.littleEndian, toByteOffset: i * CachedPassageList.entryBytes, as: Int64.self)
                raw.storeBytes(of: entry.fingerprint.littleEndian, toByteOffset: i * CachedPassageList.entryBytes + 8, as: UInt64.self)
            }
        }
        var written = 0
        let offset = count * CachedPassageList.entryBytes
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, bytes.count - written, off_t(offset + written)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.ioError(path, "write")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw Self.ioError(path, "fsync") }
        count += entries.count
    }

    private static func ioError(_ path: String, _ operation: String) -> EmbeddingJobError {
        .damaged(path: path, reason: "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}
