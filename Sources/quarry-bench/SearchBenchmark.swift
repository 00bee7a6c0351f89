import Foundation
import QuarryRetrieval

/// `quarry-bench search`: times FlatInnerProductIndex over a memory-mapped float32 matrix, one query at
/// a time or in batches, writes the top-k ids for comparison and prints one JSON line of figures.
struct SearchBenchmark {
    var vectors: URL
    var queries: URL
    var dimension: Int
    var batch: Int
    var queryCount: Int
    var k: Int
    var idsOut: URL?
    var rowBlock: Int?

    func run() throws {
        let matrix = try MappedMatrix(url: vectors, dimension: dimension)
        let index = FlatInnerProductIndex(mapping: matrix)
        if let rowBlock { index.rowBlock = rowBlock }
        let queryMatrix = try MappedMatrix(url: queries, dimension: dimension)
        guard queryMatrix.rows >= queryCount, let queryBase = queryMatrix.base else {
            throw BenchmarkError("\(queries.path): holds \(queryMatrix.rows) queries, \(queryCount) requested")
        }
        // One untimed pass pulls the mapped rows into the page cache, as the first faiss search does.
        _ = try index.search(UnsafeBufferPointer(start: queryBase, count: dimension), k: k)

        var ids = [Int32]()
        ids.reserveCapacity(queryCount * k)
        let start = DispatchTime.now().uptimeNanoseconds
        var q0 = 0
        while q0 < queryCount {
            let n = min(batch, queryCount - q0)
            let chunk = UnsafeBufferPointer(start: queryBase + q0 * dimension, count: n * dimension)
            for hits in try index.search(chunk, k: k) {
                for j in 0..<k { ids.append(j < hits.count ? Int32(hits[j].id) : -1) }
            }
            q0 += n
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let idsOut {
            try ids.withUnsafeBytes { try Data($0).write(to: idsOut) }
        }
        let figures: [String: Any] = [
            "rows": index.count, "row_block": index.rowBlock, "batch": batch, "queries": queryCount, "seconds": seconds,
            "qps": Double(queryCount) / seconds, "peak_rss_mib": peakResidentMiB(),
        ]
        let json = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}

/// High-water resident set size of this process, from /proc/self/status (VmHWM).
func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
        return kib / 1024
    }
    return -1
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
