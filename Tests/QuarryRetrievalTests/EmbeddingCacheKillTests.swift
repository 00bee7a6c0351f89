import Foundation
import GRDB
import XCTest
import QuarryStore
import QuarryTestSupport
@testable import QuarryRetrieval

/// Kills a process that is appending to a cache with SIGKILL, then resumes: the resumed cache must hold
/// exactly the recorded rows, intact, and continue from there. The appending process is this test
/// bundle run again on `testAppenderChild`, which only works when the parent sets its environment.
final class EmbeddingCacheKillTests: XCTestCase {
    private static let databaseVariable = "QUARRY_TEST_APPENDER_DATABASE"
    private static let dimension = 64

    /// Row `r` holds r, r + 1/64, … so any misplaced or torn row is visible.
    private static func row(_ r: Int) -> [Float] {
        (0..<dimension).map { Float(r) + Float($0) / Float(dimension) }
    }

    private static func openCache(_ path: String) throws -> EmbeddingCache {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let catalog = try EmbeddingCacheCatalog(database: try DatabasePool(path: path, configuration: configuration))
        return try EmbeddingCache(databaseURL: URL(fileURLWithPath: path), catalog: catalog)
    }

    /// The child: appends batches of 25 rows until killed.
    func testAppenderChild() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.databaseVariable] else {
            throw XCTSkip("runs only as the child process of testSIGKILLDuringAppendsLosesNoRecordedRow")
        }
        let writer = try Self.openCache(path).openWriter(dimension: Self.dimension, modelPath: "m", weightsHash: "h")
        while writer.rowsCompleted < 10_000_000 {
            let first = writer.rowsCompleted
            try writer.append((first..<(first + 25)).flatMap(Self.row))
        }
    }

    func testSIGKILLDuringAppendsLosesNoRecordedRow() throws {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0])
        guard runner.path.contains("xctest"), FileManager.default.isExecutableFile(atPath: runner.path) else {
            throw XCTSkip("cannot re-run the test bundle from \(runner.path)")
        }
        let path = try TestResources.temporaryDirectory(for: self).appendingPathComponent("store.sqlite").path
        let cache = try Self.openCache(path)

        let child = Process()
        child.executableURL = runner
        child.arguments = ["QuarryRetrievalTests.EmbeddingCacheKillTests/testAppenderChild"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.databaseVariable: path]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let deadline = Date().addingTimeInterval(60)
        while (try cache.record()?.rowsCompleted ?? 0) < 500 && child.isRunning && Date() < deadline {
            usleep(20_000)
        }
        XCTAssertTrue(child.isRunning, "the appending process ended before it was killed")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)

        let recorded = try XCTUnwrap(cache.record()).rowsCompleted
        XCTAssertGreaterThanOrEqual(recorded, 500)
        let resumed = try cache.openWriter(dimension: Self.dimension, modelPath: "m", weightsHash: "h")
        XCTAssertEqual(resumed.rowsCompleted, recorded)
        try resumed.append((recorded..<(recorded + 30)).flatMap(Self.row))
        resumed.close()

        let matrix = try cache.mapMatrix()
        XCTAssertEqual(matrix.rows, recorded + 30)
        let size = try FileManager.default.attributesOfItem(atPath: cache.fileURL.path)[.size] as? Int
        XCTAssertEqual(size, (recorded + 30) * Self.dimension * 4)
        let values = UnsafeBufferPointer(start: matrix.base, count: matrix.rows * Self.dimension)
        var damaged = 0
        for r in 0..<matrix.rows where Array(values[(r * Self.dimension)..<((r + 1) * Self.dimension)]) != Self.row(r) {
            damaged += 1
        }
        XCTAssertEqual(damaged, 0, "rows that do not hold their own index")
    }
}
