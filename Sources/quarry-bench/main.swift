import Foundation

// Benchmark driver. Usage:
//   quarry-bench search VECTORS.f32 QUERIES.f32 --dim D --batch B --queries N [--k K] [--ids OUT.i32] [--row-block R]
//   quarry-bench train-step --db DB --model DIR --qa FILE [--steps N] [--batch B] [--samples K] [--max-passage-tokens T]
let usage = """
    usage: quarry-bench search VECTORS.f32 QUERIES.f32 --dim D --batch B --queries N [--k K] [--ids OUT.i32] [--row-block R]
           quarry-bench train-step --db DB --model DIR --qa FILE [--steps N] [--batch B] [--samples K] [--max-passage-tokens T]
    """

func parseSearch(_ args: [String]) throws -> SearchBenchmark {
    var positional = [String]()
    var options = [String: String]()
    var i = 0
    while i < args.count {
        if args[i].hasPrefix("--") {
            guard i + 1 < args.count else { throw BenchmarkError("\(args[i]) needs a value\n\(usage)") }
            options[String(args[i].dropFirst(2))] = args[i + 1]
            i += 2
        } else {
            positional.append(args[i])
            i += 1
        }
    }
    func integer(_ name: String, default value: Int? = nil) throws -> Int {
        guard let text = options[name] else {
            if let value { return value }
            throw BenchmarkError("missing --\(name)\n\(usage)")
        }
        guard let number = Int(text), number > 0 else { throw BenchmarkError("--\(name) must be a positive integer, got \(text)") }
        return number
    }
    guard positional.count == 2 else { throw BenchmarkError(usage) }
    return SearchBenchmark(
        vectors: URL(fileURLWithPath: positional[0]), queries: URL(fileURLWithPath: positional[1]),
        dimension: try integer("dim"), batch: try integer("batch"), queryCount: try integer("queries"),
        k: try integer("k", default: 10), idsOut: options["ids"].map { URL(fileURLWithPath: $0) },
        rowBlock: options["row-block"] == nil ? nil : try integer("row-block"))
}

func parseTrainStep(_ args: [String]) throws -> TrainingStepBenchmark {
    var options = [String: String]()
    var i = 0
    while i < args.count {
        guard args[i].hasPrefix("--"), i + 1 < args.count else { throw BenchmarkError("unexpected \(args[i])\n\(usage)") }
        options[String(args[i].dropFirst(2))] = args[i + 1]
        i += 2
    }
    func path(_ name: String) throws -> URL {
        guard let value = options[name] else { throw BenchmarkError("missing --\(name)\n\(usage)") }
        return URL(fileURLWithPath: value)
    }
    func integer(_ name: String, _ value: Int) throws -> Int {
        guard let text = options[name] else { return value }
        guard let number = Int(text), number > 0 else { throw BenchmarkError("--\(name) must be a positive integer, got \(text)") }
        return number
    }
    return TrainingStepBenchmark(database: try path("db"), model: try path("model"), qa: try path("qa"),
                                 steps: try integer("steps", 5), batch: try integer("batch", 8),
                                 samples: try integer("samples", 4), maxPassageTokens: try integer("max-passage-tokens", 128))
}

do {
    let args = Array(CommandLine.arguments.dropFirst())
    switch args.first {
    case "search": try parseSearch(Array(args.dropFirst())).run()
    case "train-step": try parseTrainStep(Array(args.dropFirst())).run()
    default: throw BenchmarkError(usage)
    }
} catch {
    FileHandle.standardError.write(Data("quarry-bench: \(error)\n".utf8))
    exit(1)
}
