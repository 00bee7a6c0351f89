import Foundation
@testable import QuarryIngest
import QuarryTestSupport
import XCTest

/// Block-parallel bzip2 decoding must give exactly what sequential decoding gives: the same bytes, and for
/// damaged files the same error after text that agrees with the sequential decoder's.
final class ParallelBzip2Tests: XCTestCase {
    /// Everything a source yields, and the error that stopped it, if any.
    private func drain(_ source: ByteSource) -> (bytes: [UInt8], error: IngestError?) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 50_000)
        do {
            while true {
                let count = try chunk.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress!, capacity: 50_000) }
                if count == 0 { return (bytes, nil) }
                bytes += chunk[0..<count]
            }
        } catch let error as IngestError {
            return (bytes, error)
        } catch {
            XCTFail("unexpected error \(error)")
            return (bytes, nil)
        }
    }

    /// Parallel (three threads) against sequential (in-line, and one thread ahead) on the same file.
    private func assertSameAsSequential(_ url: URL, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sequential = drain(try ByteSource(url: url, background: false))
        let ahead = drain(try ByteSource(url: url, bzip2Threads: 0))
        let parallelSource = try ByteSource(url: url, bzip2Threads: 3)
        let parallel = drain(parallelSource)
        // Before an error, how much text comes out depends on buffer sizes even for the sequential decoder
        // (libbz2's output in the failing call is dropped): one text must be the start of the other.
        let shorter = min(parallel.bytes.count, sequential.bytes.count)
        let agree = sequential.error == nil ? parallel.bytes == sequential.bytes
            : parallel.bytes[..<shorter] == sequential.bytes[..<shorter]
        XCTAssertTrue(agree, "\(label): \(parallel.bytes.count) bytes in parallel, \(sequential.bytes.count) in sequence", file: file, line: line)
        // The same error; for corrupt data the byte offset is where libbz2 had read to when it noticed,
        // which depends on read sizes, so only its form is compared.
        XCTAssertEqual(parallel.error?.file, sequential.error?.file, label, file: file, line: line)
        XCTAssertEqual(parallel.error?.message, sequential.error?.message, label, file: file, line: line)
        XCTAssertEqual(parallel.error?.place.hasPrefix("byte "), sequential.error?.place.hasPrefix("byte "), label, file: file, line: line)
        if sequential.error?.message.contains("truncated") ?? false {
            XCTAssertEqual(parallel.error?.place, sequential.error?.place, label, file: file, line: line)
        }
        // Sound files never need the fallback; damaged ones may.
        if sequential.error == nil { XCTAssertFalse(parallelSource.fellBackToSequential, label, file: file, line: line) }
        if sequential.error == nil {
            // (After an error the one-thread path may hold back the text of its last chunk.)
            XCTAssertTrue(ahead.bytes == sequential.bytes && ahead.error == nil, label, file: file, line: line)
            XCTAssertEqual(parallelSource.compressedBytesRead, Int64(try Data(contentsOf: url).count), label, file: file, line: line)
        }
    }

    /// Text with random words and stretches of random bytes: `bzip2 -1` makes 100 kB blocks, many of them.
    private func mixedData(_ directory: URL, megabytes: Int = 3) throws -> URL {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        while bytes.count < megabytes << 20 {
            if Bool.random(using: &generator) {
                let words = (0..<500).map { _ in String(UInt32.random(in: 0...99_999, using: &generator), radix: 36) }
                bytes += Array(("<p>" + words.joined(separator: " ") + "</p>\n").utf8)
            } else {
                bytes += (0..<Int.random(in: 1...20_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            // Long runs exercise bzip2's run-length stages.
            bytes += [UInt8](repeating: 0x41, count: Int.random(in: 0...3_000, using: &generator))
        }
        let url = directory.appendingPathComponent("mixed.bin")
        try Data(bytes).write(to: url)
        return url
    }

    func testManyBlocksSingleStream() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let compressed = try compress(try mixedData(directory), with: "bzip2", options: ["-1"])
        let blocks = try Bzip2BlockScanner(path: compressed.path).pieces().count
        XCTAssertGreaterThan(blocks, 20)
        try assertSameAsSequential(compressed, "bzip2 -1, single stream")
    }

    func testMultistreamAndEmptyStreams() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let mixed = try Data(contentsOf: compress(try mixedData(directory, megabytes: 1), with: "bzip2", options: ["-1"]))
        let small = try Data(contentsOf: compress(try write("a small second stream\n", to: "small.txt", in: directory), with: "bzip2"))
        let empty = try Data(contentsOf: compress(try write("", to: "empty.txt", in: directory), with: "bzip2", options: ["-5"]))
        let joined = directory.appendingPathComponent("joined.bz2")
        try (mixed + empty + small + mixed + small + empty).write(to: joined)
        try assertSameAsSequential(joined, "multistream")
        let onlyEmpty = directory.appendingPathComponent("only-empty.bz2")
        try empty.write(to: onlyEmpty)
        try assertSameAsSequential(onlyEmpty, "empty stream")
    }

    func testRealDumps() throws {
        for name in ["mediawiki-xml/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
                     "mediawiki-xml/bgwiki-latest-pages-articles-shortened.xml.bz2",
                     "mediawiki-xml/enwiki-table-markup.xml.bz2"] {
            try assertSameAsSequential(try TestResources.sharedData(name), name)
        }
    }

    /// Cut anywhere (inside a block, inside the end marker or its CRC, right after a block magic): the same
    /// text, then the same truncation error naming the file and byte.
    func testTruncatedFiles() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let whole = try Data(contentsOf: compress(try mixedData(directory, megabytes: 1), with: "bzip2", options: ["-1"]))
        let cuts = [whole.count / 2, whole.count - 1, whole.count - 4, whole.count - 8, whole.count - 12, 10, 4]
        for cut in cuts {
            let url = directory.appendingPathComponent("cut-\(cut).bz2")
            try whole.prefix(cut).write(to: url)
            try assertSameAsSequential(url, "cut at \(cut) of \(whole.count)")
            let error = drain(try ByteSource(url: url, bzip2Threads: 3)).error
            XCTAssertEqual(error?.file, url.path)
            XCTAssertTrue(error?.message.contains("truncated") ?? false, "cut at \(cut): \(String(describing: error))")
        }
    }

    /// Damage in a middle block, in a block's stored CRC, in the end marker, and trailing junk: the
    /// sequential decoder's text and error, found through the fallback.
    func testCorruptFiles() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let whole = try Data(contentsOf: compress(try mixedData(directory, megabytes: 1), with: "bzip2", options: ["-1"]))
        var damaged: [(String, Data)] = []
        for offset in [whole.count / 3, whole.count / 2, 20, whole.count - 6] {
            var bytes = whole
            for index in offset..<min(offset + 3, bytes.count) { bytes[index] ^= 0x5A }
            damaged.append(("flipped at \(offset)", bytes))
        }
        damaged.append(("trailing junk", whole + Data("junk after the stream".utf8)))
        damaged.append(("trailing zero", whole + Data([0])))
        for (label, bytes) in damaged {
            let url = directory.appendingPathComponent("damaged.bz2")
            try bytes.write(to: url)
            try assertSameAsSequential(url, label)
            let source = try ByteSource(url: url, bzip2Threads: 3)
            XCTAssertNotNil(drain(source).error, label)
            if label.hasPrefix("flipped") { XCTAssertTrue(source.fellBackToSequential, label) }
        }
    }

    /// A reader that stops early leaves no thread behind waiting forever (the test would hang).
    func testAbandonedReader() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let compressed = try compress(try mixedData(directory, megabytes: 2), with: "bzip2", options: ["-1"])
        for _ in 0..<5 {
            let source = try ByteSource(url: compressed, chunkSize: 4096, bzip2Threads: 2)
            var few = [UInt8](repeating: 0, count: 10)
            XCTAssertEqual(try few.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress!, capacity: 10) }, 10)
        }
    }
}

private extension Bzip2BlockScanner {
    func pieces() throws -> [Bzip2Piece] {
        var all: [Bzip2Piece] = []
        while let piece = try next() { all.append(piece) }
        return all
    }
}
