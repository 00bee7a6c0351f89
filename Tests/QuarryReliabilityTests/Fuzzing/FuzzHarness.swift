import Foundation
import XCTest

/// Runs a target over mutated inputs within a budget: `QUARRY_FUZZ_ITERATIONS` inputs per target (default
/// `defaultIterations`, kept small for the ordinary test run) or, when `QUARRY_FUZZ_SECONDS` is set, as many
/// as fit in that many seconds per target. `QUARRY_FUZZ_SEED` changes the sequence (the default is fixed).
///
/// Each input is written to `<findings>/<target>.current` before it runs, so a crash leaves the input that
/// caused it behind; an input that runs past `timeLimit` stops the process with a message naming that file
/// (a hang cannot be interrupted from inside). Failures of the property (a wrong kind of error) are saved
/// as `<target>-<seed>-<iteration>.input` and reported.
struct FuzzHarness {
    let target: String
    let seed: UInt64
    let iterations: Int
    let seconds: Double?
    let timeLimit: Double
    let findings: URL

    static let environment = ProcessInfo.processInfo.environment

    init(target: String, defaultIterations: Int, timeLimit: Double = 20) throws {
        self.target = target
        seed = Self.environment["QUARRY_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_125
        iterations = Self.environment["QUARRY_FUZZ_ITERATIONS"].flatMap(Int.init) ?? defaultIterations
        seconds = Self.environment["QUARRY_FUZZ_SECONDS"].flatMap(Double.init)
        self.timeLimit = timeLimit
        findings = URL(fileURLWithPath: Self.environment["QUARRY_FUZZ_DIR"]
                       ?? FileManager.default.temporaryDirectory.appendingPathComponent("quarry-fuzz").path)
        try FileManager.default.createDirectory(at: findings, withIntermediateDirectories: true)
    }

    /// The file a reader target parses: the current input, under the target's name.
    func currentFile(extension ext: String) -> URL {
        findings.appendingPathComponent("\(target).current.\(ext)")
    }

    /// Feeds `mutator`-made inputs from `seeds` to `body`. `body` returns nil when the input passed, or why
    /// it did not (an error of the wrong kind, an unlocated error).
    func run(seeds: [[UInt8]], dictionary: [String], extension ext: String = "input",
             file: StaticString = #filePath, line: UInt = #line,
             _ body: (_ input: [UInt8], _ url: URL) throws -> String?) rethrows {
        precondition(!seeds.isEmpty)
        var mutator = SeededMutator(seed: seed ^ target.hashValueStable, dictionary: dictionary)
        let url = currentFile(extension: ext)
        let start = Date()
        var iteration = 0
        var failures = 0
        var slowest = (seconds: 0.0, iteration: -1)
        while seconds.map({ Date().timeIntervalSince(start) < $0 }) ?? (iteration < iterations) {
            // Every seed once unmutated first: the real files must pass too.
            let input = iteration < seeds.count ? seeds[iteration] : mutator.mutate(seeds[mutator.below(seeds.count)])
            FileManager.default.createFile(atPath: url.path, contents: Data(input))
            let watchdog = DispatchWorkItem { [target, timeLimit] in
                FileHandle.standardError.write(Data("fuzz \(target): input \(iteration) ran over \(timeLimit) s; it is at \(url.path)\n".utf8))
                exit(70)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: watchdog)
            let began = Date()
            let problem = try body(input, url)
            watchdog.cancel()
            let took = Date().timeIntervalSince(began)
            if took > slowest.seconds {
                slowest = (took, iteration)
                try? FileManager.default.removeItem(at: findings.appendingPathComponent("\(target).slowest"))
                try? FileManager.default.copyItem(at: url, to: findings.appendingPathComponent("\(target).slowest"))
            }
            if let problem {
                failures += 1
                let saved = findings.appendingPathComponent("\(target)-\(seed)-\(iteration).input")
                try? FileManager.default.removeItem(at: saved)
                try? FileManager.default.copyItem(at: url, to: saved)
                if failures <= 5 { XCTFail("fuzz \(target), input \(iteration) (saved at \(saved.path)): \(problem)", file: file, line: line) }
            }
            iteration += 1
        }
        try? FileManager.default.removeItem(at: url)
        XCTAssertEqual(failures, 0, "fuzz \(target): \(failures) of \(iteration) inputs broke the property", file: file, line: line)
        print("fuzz \(target): \(iteration) inputs in \(String(format: "%.1f", Date().timeIntervalSince(start))) s, \(failures) failures; "
              + "slowest input \(slowest.iteration): \(String(format: "%.3f", slowest.seconds)) s (kept as \(target).slowest)")
    }
}

extension String {
    /// A hash that is the same in every run (Swift's `hashValue` is randomly seeded per process).
    var hashValueStable: UInt64 {
        utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}
