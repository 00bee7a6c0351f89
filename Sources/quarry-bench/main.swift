import Foundation
import QuarryNN

// Benchmark driver. Usage:
//   quarry-bench search VECTORS.f32 QUERIES.f32 --dim D --batch B --queries N [--k K] [--ids OUT.i32] [--row-block R]
//   quarry-bench bm25 DB.sqlite QUESTIONS.jsonl --ids OUT.jsonl [--k K]
//   quarry-bench encode TEXTS.jsonl --model DIR [--batch B] [--threads T] [--out OUT.f32] [--precision fp32|bf16] [--fp32-library openBLAS|oneDNN]
//   quarry-bench matmul [--rows N] [--repeats R]
//   quarry-bench train-step --db DB --model DIR --qa FILE [--steps N] [--batch B] [--samples K] [--max-passage-tokens T]
//                          [--rows N] [--correct-candidates M]
//   quarry-bench store --dir DIR [--passages N]
let usage = """
    usage: quarry-bench search VECTORS.f32 QUERIES.f32 --dim D --batch B --queries N [--k K] [--ids OUT.i32] [--row-block R]
           quarry-bench bm25 DB.sqlite QUESTIONS.jsonl --ids OUT.jsonl [--k K]
           quarry-bench encode TEXTS.jsonl --model DIR [--batch B] [--threads T] [--out OUT.f32]
                              [--precision fp32|bf16] [--fp32-library openBLAS|oneDNN]
           quarry-bench matmul [--rows N] [--repeats R]
           quarry-bench train-step --db DB --model DIR --qa FILE [--steps N] [--batch B] [--samples K] [--max-passage-tokens T]
                                  [--rows N] [--correct-candidates M]
           quarry-bench store --dir DIR [--passages N]
    """

/// Positional arguments and `--name value` options.
func splitArguments(_ args: [String]) throws -> (positional: [String], options: [String: String]) {
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
    return (positional, options)
}

func integer(_ name: String, in options: [String: String], default value: Int? = nil) throws -> Int {
    guard let text = options[name] else {
        if let value { return value }
        throw BenchmarkError("missing --\(name)\n\(usage)")
    }
    guard let number = Int(text), number > 0 else { throw BenchmarkError("--\(name) must be a positive integer, got \(text)") }
    return number
}

func parseSearch(_ args: [String]) throws -> SearchBenchmark {
    let (positional, options) = try splitArguments(args)
    guard positional.count == 2 else { throw BenchmarkError(usage) }
    return SearchBenchmark(
        vectors: URL(fileURLWithPath: positional[0]), queries: URL(fileURLWithPath: positional[1]),
        dimension: try integer("dim", in: options), batch: try integer("batch", in: options),
        queryCount: try integer("queries", in: options), k: try integer("k", in: options, default: 10),
        idsOut: options["ids"].map { URL(fileURLWithPath: $0) },
        rowBlock: options["row-block"] == nil ? nil : try integer("row-block", in: options))
}

func parseEncode(_ args: [String]) throws -> EncodeBenchmark {
    let (positional, options) = try splitArguments(args)
    guard positional.count == 1, let model = options["model"] else { throw BenchmarkError(usage) }
    return EncodeBenchmark(texts: URL(fileURLWithPath: positional[0]), model: URL(fileURLWithPath: model),
                           batch: try integer("batch", in: options, default: 32),
                           threads: try integer("threads", in: options, default: 2),
                           out: options["out"].map { URL(fileURLWithPath: $0) },
                           precision: try choice("precision", in: options, default: .fp32),
                           fp32Library: try choice("fp32-library", in: options, default: MatrixProducts.fp32Library))
}

/// A `--name value` option naming one case of `T`.
func choice<T: RawRepresentable & CaseIterable>(_ name: String, in options: [String: String], default value: T) throws -> T
    where T.RawValue == String {
    guard let text = options[name] else { return value }
    guard let picked = T(rawValue: text) else {
        throw BenchmarkError("--\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \(text)")
    }
    return picked
}

func parseMatmul(_ args: [String]) throws -> MatmulBenchmark {
    let (_, options) = try splitArguments(args)
    return MatmulBenchmark(rows: try integer("rows", in: options, default: 4096),
                           repeats: try integer("repeats", in: options, default: 20))
}

func parseTrainStep(_ args: [String]) throws -> TrainingStepBenchmark {
    let (_, options) = try splitArguments(args)
    func path(_ name: String) throws -> URL {
        guard let value = options[name] else { throw BenchmarkError("missing --\(name)\n\(usage)") }
        return URL(fileURLWithPath: value)
    }
    return TrainingStepBenchmark(database: try path("db"), model: try path("model"), qa: try path("qa"),
                                 steps: try integer("steps", in: options, default: 5),
                                 batch: try integer("batch", in: options, default: 8),
                                 samples: try integer("samples", in: options, default: 4),
                                 maxPassageTokens: try integer("max-passage-tokens", in: options, default: 128),
                                 rows: try integer("rows", in: options, default: 0),
                                 correctCandidates: try integer("correct-candidates", in: options, default: 0))
}

func parseStore(_ args: [String]) throws -> StoreBenchmark {
    let (_, options) = try splitArguments(args)
    guard let folder = options["dir"] else { throw BenchmarkError("missing --dir\n\(usage)") }
    return StoreBenchmark(folder: URL(fileURLWithPath: folder), passageCount: try integer("passages", in: options, default: 50_000))
}

func parseBM25(_ args: [String]) throws -> BM25Benchmark {
    let (positional, options) = try splitArguments(args)
    guard positional.count == 2, let ids = options["ids"] else { throw BenchmarkError(usage) }
    return BM25Benchmark(
        database: URL(fileURLWithPath: positional[0]), questions: URL(fileURLWithPath: positional[1]),
        k: try integer("k", in: options, default: 20), idsOut: URL(fileURLWithPath: ids))
}

do {
    let args = Array(CommandLine.arguments.dropFirst())
    switch args.first {
    case "search": try parseSearch(Array(args.dropFirst())).run()
    case "bm25": try parseBM25(Array(args.dropFirst())).run()
    case "encode": try parseEncode(Array(args.dropFirst())).run()
    case "matmul": try parseMatmul(Array(args.dropFirst())).run()
    case "train-step": try parseTrainStep(Array(args.dropFirst())).run()
    case "store": try parseStore(Array(args.dropFirst())).run()
    default: throw BenchmarkError(usage)
    }
} catch {
    FileHandle.standardError.write(Data("quarry-bench: \(error)\n".utf8))
    exit(1)
}
