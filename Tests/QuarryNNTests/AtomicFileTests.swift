import Foundation
import QuarryNN
import QuarryTestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    /// A killed writer's temporary is removed by the next write of that file; a live writer's is left alone.
    func testNextWriteRemovesTheTemporaryOfADeadWriter() throws {
        let folder = try TestResources.temporaryDirectory(for: self)
        let url = folder.appendingPathComponent("config.json")
        let dead = folder.appendingPathComponent(".config.json.4000000.tmp")
        let live = folder.appendingPathComponent(".config.json.\(getppid()).tmp")
        for leftover in [dead, live] { try Data("half".utf8).write(to: leftover) }
        try AtomicFile.write(Data("{}".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{}")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(),
                       [live.lastPathComponent, "config.json"])
    }

    /// A write that cannot happen says where and the system's reason, and leaves nothing behind.
    func testFailedWriteSaysTheSystemsReason() throws {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent("missing/config.json")
        XCTAssertThrowsError(try AtomicFile.write(Data("{}".utf8), to: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): cannot create .config.json.\(getpid()).tmp (No such file or directory)")
        }
    }
}
