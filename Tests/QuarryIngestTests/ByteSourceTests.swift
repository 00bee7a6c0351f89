import Foundation
import QuarryIngest
import QuarryTestSupport
import XCTest

final class ByteSourceTests: XCTestCase {
    private func sample(_ directory: URL, _ name: String = "sample.txt") throws -> (URL, [UInt8]) {
        let text = (0..<20_000).map { "line \($0) of a sample with some words\n" }.joined()
        return (try write(text, to: name, in: directory), Array(text.utf8))
    }

    /// Each compression is told from the bytes (the names here carry no suffix) and read back intact.
    func testCompressionsDetectedFromContent() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let (plain, expected) = try sample(directory)
        for (tool, kind) in [("bzip2", Compression.bzip2), ("gzip", .gzip), ("xz", .xz)] {
            let compressed = try compress(plain, with: tool)
            let anonymous = directory.appendingPathComponent("anonymous-\(tool)")
            try FileManager.default.moveItem(at: compressed, to: anonymous)
            let source = try ByteSource(url: anonymous, chunkSize: 4096)
            XCTAssertEqual(source.compression, kind)
            XCTAssertEqual(try source.readAll(), expected, tool)
            XCTAssertEqual(source.compressedBytesRead, Int64(try Data(contentsOf: anonymous).count), tool)
        }
        let source = try ByteSource(url: plain)
        XCTAssertEqual(source.compression, Compression.none)
        XCTAssertEqual(try source.readAll(), expected)
    }

    /// Concatenated streams (multistream bzip2 dumps, multi-member gzip, concatenated xz) read through.
    func testConcatenatedStreams() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let (first, firstBytes) = try sample(directory, "a.txt")
        let second = try write("the second stream\n", to: "b.txt", in: directory)
        for tool in ["bzip2", "gzip", "xz"] {
            let joined = directory.appendingPathComponent("joined-\(tool)")
            let parts = try [first, second].map { try Data(contentsOf: compress($0, with: tool)) }
            try (parts[0] + parts[1]).write(to: joined)
            XCTAssertEqual(try ByteSource(url: joined, chunkSize: 1000).readAll(), firstBytes + Array("the second stream\n".utf8), tool)
        }
    }

    /// A compressed file cut short: an error naming the file and the byte offset reached.
    func testTruncatedStreams() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let (plain, _) = try sample(directory)
        for tool in ["bzip2", "gzip", "xz"] {
            let whole = try Data(contentsOf: compress(plain, with: tool))
            let cut = directory.appendingPathComponent("cut-\(tool)")
            try whole.prefix(whole.count / 2).write(to: cut)
            let error = ingestError { _ = try ByteSource(url: cut).readAll() }
            XCTAssertEqual(error?.file, cut.path, tool)
            XCTAssertTrue(error?.place.hasPrefix("byte ") ?? false, "\(tool): \(String(describing: error))")
            XCTAssertTrue(error?.message.contains("truncated") ?? false, "\(tool): \(String(describing: error))")
        }
    }

    func testCorruptStream() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let (plain, _) = try sample(directory)
        var bytes = try Data(contentsOf: compress(plain, with: "bzip2"))
        for index in stride(from: 100, to: 400, by: 1) { bytes[index] ^= 0x5A }
        let corrupt = directory.appendingPathComponent("corrupt.bz2")
        try bytes.write(to: corrupt)
        let error = ingestError { _ = try ByteSource(url: corrupt).readAll() }
        XCTAssertTrue(error?.message.contains("corrupt bzip2") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.place.hasPrefix("byte ") ?? false)
    }

    func testMissingFileAndDirectory() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let missing = directory.appendingPathComponent("nowhere.xml")
        let error = ingestError { _ = try ByteSource(url: missing) }
        XCTAssertEqual(error?.file, missing.path)
        XCTAssertTrue(error?.message.contains("No such file") ?? false, "\(String(describing: error))")
        XCTAssertEqual(ingestError { _ = try ByteSource(url: directory) }?.message, "is a directory, not a file")
    }

    func testEmptyFile() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let empty = try write("", to: "empty", in: directory)
        XCTAssertEqual(try ByteSource(url: empty).readAll(), [])
    }
}
