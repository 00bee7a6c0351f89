import Foundation
import QuarryNN
import QuarryRetrieval

/// `quarry-bench encode`: times SentenceEncoder on texts read from a JSON-lines file (one JSON string per
/// line), after loading the model and tokenizing (both untimed, as for the reference implementation),
/// writes the embeddings as float32 rows and prints one JSON line of figures.
struct EncodeBenchmark {
    var texts: URL
    var model: URL
    var batch: Int
    var threads: Int
    var out: URL?
    var precision: Precision
    var fp32Library: MatrixProducts.Library

    func run() throws {
        let lines = try String(contentsOf: texts, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let inputs = try lines.enumerated().map { number, line -> String in
            guard let text = (try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])) as? String else {
                throw BenchmarkError("\(texts.path):\(number + 1): not a JSON string")
            }
            return text
        }
        let encoder = try SentenceEncoder(modelFolder: model)
        SentenceEncoder.useThreads(threads)
        encoder.encoder.precision = precision
        MatrixProducts.fp32Library = fp32Library
        let tokenizeStart = DispatchTime.now().uptimeNanoseconds
        let sequences = inputs.map { encoder.tokenize($0) }
        let tokenizeSeconds = Double(DispatchTime.now().uptimeNanoseconds - tokenizeStart) / 1e9
        _ = try encoder.embed(tokenized: Array(sequences.prefix(batch)), batchSize: batch)  // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        let rows = try encoder.embed(tokenized: sequences, batchSize: batch)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let out { try rows.withUnsafeBytes { try Data($0).write(to: out) } }
        let tokens = sequences.reduce(0) { $0 + $1.count }
        let figures: [String: Any] = [
            "passages": inputs.count, "seconds": seconds, "passages_per_second": Double(inputs.count) / seconds,
            "tokenize_seconds": tokenizeSeconds, "mean_tokens": Double(tokens) / Double(max(1, inputs.count)),
            "batch": batch, "threads": threads, "precision": precision.rawValue,
            "fp32_library": fp32Library.rawValue,
        ]
        let json = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
