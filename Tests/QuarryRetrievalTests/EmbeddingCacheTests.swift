import GRDB
import XCTest
import QuarryStore
import QuarryTestSupport
@testable import QuarryRetrieval

final class EmbeddingCacheTests: XCTestCase {
    private var databaseURL: URL!
    private var catalog: EmbeddingCacheCatalog!

    override func setUpWithError() throws {
        databaseURL = try TestResources.temporaryDirectory(for: self).appendingPathComponent("store.sqlite")
        catalog = try EmbeddingCacheCatalog(database: try DatabaseQueue(path: databaseURL.path))
    }

    private func rows(_ first: Int, _ count: Int, dimension: Int) -> [Float] {
        (first..<(first + count)).flatMap { r in (0..<dimension).map { Float(r * 100 + $0) } }
    }

    private func fileBytes(_ cache: EmbeddingCache) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: cache.fileURL.path)[.size] as! Int
    }

    func testAppendedRowsAreRecordedAndMappedAsOneMatrix() throws {
        let cache = try EmbeddingCache(databaseURL: databaseURL, catalog: catalog)
        XCTAssertEqual(cache.name, "dense")
        XCTAssertEqual(cache.fileURL.path, databaseURL.path + ".caches/dense.f32")
        XCTAssertEqual(try cache.status(weightsHash: "h1", passageCount: 5), .missing)

        let writer = try cache.openWriter(dimension: 3, modelPath: "models/m", weightsHash: "h1")
        try writer.append(rows(0, 2, dimension: 3))
        XCTAssertEqual(try cache.status(weightsHash: "h1", passageCount: 5), .partial(rowsCompleted: 2, of: 5))
        try writer.append(rows(2, 3, dimension: 3))
        writer.close()

        let record = try XCTUnwrap(cache.record())
        XCTAssertEqual(record.rowsCompleted, 5)
        XCTAssertEqual(record.dimension, 3)
        XCTAssertEqual(record.modelPath, "models/m")
        XCTAssertEqual(record.weightsHash, "h1")
        XCTAssertLessThanOrEqual(record.createdAt, record.updatedAt)
        XCTAssertEqual(try cache.status(weightsHash: "h1", passageCount: 5), .complete(rows: 5))
        XCTAssertEqual(try cache.status(weightsHash: "h2", passageCount: 5), .stale(recordedHash: "h1"))

        let matrix = try cache.mapMatrix()
        XCTAssertEqual(matrix.rows, 5)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: matrix.base, count: 15)), rows(0, 5, dimension: 3))
        let hits = try cache.flatIndex().search([0, 0, 1], k: 1)
        XCTAssertEqual(hits[0].first?.id, 4)
    }

    /// A matrix made elsewhere (a trainer's corrected cache) carries the passages its rows hold, so search
    /// maps rows by id rather than by position; removing the cache removes the list with it.
    func testReplacedMatrixKeepsItsPassageList() throws {
        let cache = try EmbeddingCache(name: "retriever-x-corrected", databaseURL: databaseURL, catalog: catalog)
        let passages = [CachedPassageEntry(passageID: 3, fingerprint: 30), CachedPassageEntry(passageID: 9, fingerprint: 90)]
        try cache.replace(with: rows(0, 2, dimension: 3), dimension: 3, passages: passages, modelPath: "m", weightsHash: "h")
        XCTAssertEqual(try CachedPassageList.read(for: cache, count: 2), passages)
        XCTAssertEqual(try cache.record()?.rowsCompleted, 2)
        XCTAssertThrowsError(try cache.replace(with: rows(0, 3, dimension: 3), dimension: 3, passages: passages,
                                               modelPath: "m", weightsHash: "h"))
        XCTAssertEqual(try CachedPassageList.read(for: cache, count: 2), passages, "a refused replacement leaves the cache alone")
        try cache.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: CachedPassageList.url(for: cache).path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.fileURL.path))
    }

    func testResumeDropsRowsWrittenAfterTheLastRecordedCount() throws {
        let cache = try EmbeddingCache(name: "trained-1", databaseURL: databaseURL, catalog: catalog)
        let writer = try cache.openWriter(dimension: 4, modelPath: "m", weightsHash: "h")
        try writer.append(rows(0, 3, dimension: 4))
        writer.close()
        // What a kill between the write and the store update leaves: rows on disk the store never counted.
        let handle = try FileHandle(forWritingTo: cache.fileURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 4 * 4 * 2 + 6))
        try handle.close()

        let resumed = try cache.openWriter(dimension: 4, modelPath: "m", weightsHash: "h")
        XCTAssertEqual(resumed.rowsCompleted, 3)
        XCTAssertEqual(try fileBytes(cache), 3 * 4 * 4)
        try resumed.append(rows(3, 2, dimension: 4))
        let matrix = try cache.mapMatrix()
        XCTAssertEqual(Array(UnsafeBufferPointer(start: matrix.base, count: 20)), rows(0, 5, dimension: 4))
    }

    func testOtherWeightsOrDimensionStartTheCacheAfresh() throws {
        let cache = try EmbeddingCache(databaseURL: databaseURL, catalog: catalog)
        try cache.openWriter(dimension: 2, modelPath: "m", weightsHash: "old").append(rows(0, 4, dimension: 2))
        let fresh = try cache.openWriter(dimension: 2, modelPath: "m2", weightsHash: "new")
        XCTAssertEqual(fresh.rowsCompleted, 0)
        XCTAssertEqual(try fileBytes(cache), 0)
        XCTAssertEqual(try cache.record()?.modelPath, "m2")
        try fresh.append(rows(7, 1, dimension: 2))
        let wider = try cache.openWriter(dimension: 3, modelPath: "m2", weightsHash: "new")
        XCTAssertEqual(wider.rowsCompleted, 0)
        XCTAssertEqual(try cache.record()?.dimension, 3)
    }

    func testDamagedFileAndBadInputAreNamedErrors() throws {
        XCTAssertThrowsError(try EmbeddingCache(name: "../evil", databaseURL: databaseURL, catalog: catalog))
        XCTAssertThrowsError(try EmbeddingCache(name: "", databaseURL: databaseURL, catalog: catalog))
        let cache = try EmbeddingCache(databaseURL: databaseURL, catalog: catalog)
        XCTAssertThrowsError(try cache.mapMatrix()) { error in
            XCTAssertEqual(error as? EmbeddingCacheError, .missing(name: "dense"))
        }
        let writer = try cache.openWriter(dimension: 2, modelPath: "m", weightsHash: "h")
        XCTAssertThrowsError(try writer.append([1, 2, 3]))
        try writer.append(rows(0, 3, dimension: 2))
        writer.close()
        try FileManager.default.removeItem(at: cache.fileURL)
        FileManager.default.createFile(atPath: cache.fileURL.path, contents: Data(count: 8))
        XCTAssertThrowsError(try cache.openWriter(dimension: 2, modelPath: "m", weightsHash: "h")) { error in
            XCTAssertTrue("\(error)".contains(cache.fileURL.path), "\(error)")
        }
        XCTAssertThrowsError(try cache.mapMatrix())
    }

    func testCatalogListsAndRemovesCaches() throws {
        let a = try EmbeddingCache(name: "a", databaseURL: databaseURL, catalog: catalog)
        let b = try EmbeddingCache(name: "b", databaseURL: databaseURL, catalog: catalog)
        try a.openWriter(dimension: 2, modelPath: "m", weightsHash: "h").append(rows(0, 1, dimension: 2))
        try b.openWriter(dimension: 2, modelPath: "m", weightsHash: "h").close()
        XCTAssertEqual(try catalog.all().map(\.name), ["a", "b"])
        try a.remove()
        XCTAssertEqual(try catalog.all().map(\.name), ["b"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: a.fileURL.path))
        XCTAssertThrowsError(try catalog.setRowsCompleted(1, forCache: "a"))
    }
}
