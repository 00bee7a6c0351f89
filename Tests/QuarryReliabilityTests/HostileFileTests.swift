import Foundation
import QuarryIngest
import QuarryNN
import QuarryTestSupport
import XCTest

/// Hostile files handed to the parsers directly: a truncated model download whose header claims data past
/// the end, and wikitext nested far deeper than any recursion could survive.
final class HostileFileTests: XCTestCase {
    /// The real MiniLM checkpoint cut in half: its header names offsets past the end of what is left.
    func testTruncatedModelFileIsRefusedWithItsName() throws {
        let model = try TestResources.miniLM().appendingPathComponent("model.safetensors")
        let directory = try TestResources.temporaryDirectory(for: self)
        let cut = directory.appendingPathComponent("model.safetensors")
        let handle = try FileHandle(forReadingFrom: model)
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        try XCTUnwrap(try handle.read(upToCount: Int(size / 2))).write(to: cut)
        try handle.close()
        XCTAssertThrowsError(try SafetensorsFile(url: cut)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(cut.path) && text.contains("outside"), text)
        }
        // Only the 8-byte length and part of the header: the header runs past the end.
        try Data(try Data(contentsOf: model).prefix(200)).write(to: cut)
        XCTAssertThrowsError(try SafetensorsFile(url: cut)) { XCTAssertTrue("\($0)".contains("past the end"), "\($0)") }
    }

    /// 100,000 levels of templates, links, tables and tags on a thread with a 256 KiB stack: a recursive
    /// cleaner would overflow it; this one must return, with the text around the nesting kept.
    func testDeepNestingOnASmallStack() throws {
        let depth = 100_000
        let inputs = [
            String(repeating: "{{a|", count: depth) + "x" + String(repeating: "}}", count: depth),
            String(repeating: "{{", count: depth),
            String(repeating: "}}", count: depth),
            String(repeating: "[[a|", count: depth) + String(repeating: "]]", count: depth),
            String(repeating: "[[File:x.jpg|", count: depth),
            String(repeating: "{|\n|", count: depth) + String(repeating: "\n|}", count: depth),
            String(repeating: "<ref>", count: depth) + String(repeating: "</ref>", count: depth),
            String(repeating: "<!--", count: depth),
            String(repeating: "{{{", count: depth) + String(repeating: "}}}", count: depth),
        ]
        let results = NestingResults()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let cleaner = WikitextCleaner()
            for input in inputs {
                let start = Date()
                let sections = cleaner.clean("before " + input + " after")
                results.append(sections, seconds: Date().timeIntervalSince(start))
            }
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        let finished = done.wait(timeout: .now() + 120) == .success
        let (outputs, seconds) = results.snapshot
        print("nesting 100,000 deep, seconds per input: \(seconds.map { String(format: "%.2f", $0) })")
        XCTAssertTrue(finished, "the cleaner returned within two minutes (inputs done: \(outputs.count), seconds: \(seconds))")
        guard outputs.count == inputs.count else { return }
        for (index, sections) in outputs.enumerated() {
            let text = sections.map(\.text).joined(separator: " ")
            XCTAssertTrue(text.contains("before"), "input \(index): \(text.prefix(200))")
            XCTAssertLessThan(seconds[index], 10, "input \(index) took \(seconds[index]) s: more than linear time?")
        }
        XCTAssertTrue(outputs[0].map(\.text).joined().contains("after"), "a closed template is removed, the text after it kept")
        XCTAssertTrue(outputs[3].map(\.text).joined().contains("after"))
    }
}

/// Outputs collected on the cleaning thread, read on the test thread.
private final class NestingResults: @unchecked Sendable {
    private let lock = NSLock()
    private var outputs: [[WikitextSection]] = []
    private var seconds: [Double] = []

    func append(_ sections: [WikitextSection], seconds time: Double) {
        lock.withLock { outputs.append(sections); seconds.append(time) }
    }

    var snapshot: ([[WikitextSection]], [Double]) { lock.withLock { (outputs, seconds) } }
}
