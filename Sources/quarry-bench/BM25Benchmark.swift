import Foundation
import QuarryStore

/// `quarry-bench bm25`: runs `CorpusStore.bm25Search` (the code behind `quarry search`) for every question
/// of a JSONL file in one process, writes the ranked passage ids one JSON list per line, and prints one
/// JSON line of figures. Timing covers the searches only, not opening the store or reading the questions.
struct BM25Benchmark {
    var database: URL
    var questions: URL
    var k: Int
    var idsOut: URL

    func run() throws {
        let store = try CorpusStore(url: database)
        let queries = try readQuestions()
        guard let first = queries.first else { throw BenchmarkError("\(questions.path): no questions") }
        _ = try store.bm25Search(query: first, k: k)  // warms the page cache, as bm25s has its index in memory

        var lines = [String]()
        lines.reserveCapacity(queries.count)
        let start = DispatchTime.now().uptimeNanoseconds
        for query in queries {
            let ids = try store.bm25Search(query: query, k: k).map(\.passageID)
            lines.append("[" + ids.map(String.init).joined(separator: ",") + "]")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try (lines.joined(separator: "\n") + "\n").write(to: idsOut, atomically: true, encoding: .utf8)
        let figures: [String: Any] = [
            "queries": queries.count, "k": k, "seconds": seconds, "qps": Double(queries.count) / seconds,
            "peak_rss_mib": peakResidentMiB(),
        ]
        let json = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// The "question" field of each line.
    private func readQuestions() throws -> [String] {
        let text = try String(contentsOf: questions, encoding: .utf8)
        return try text.split(separator: "\n").enumerated().map { number, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let question = object["question"] as? String else {
                throw BenchmarkError("\(questions.path):\(number + 1): not a JSON object with a \"question\" string")
            }
            return question
        }
    }
}
