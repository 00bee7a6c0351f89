import XCTest
import QuarryTestSupport
@testable import QuarryRetrieval

final class FlatInnerProductIndexTests: XCTestCase {
    /// Deterministic pseudo-random floats in [-1, 1).
    private func randomMatrix(rows: Int, dimension: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<(rows * dimension)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// Top-k by scoring every row in Double and sorting: the reference the index must reproduce.
    private func bruteForce(_ rows: [Float], _ queries: [Float], dimension: Int, k: Int) -> [[Int]] {
        let n = rows.count / dimension
        return stride(from: 0, to: queries.count, by: dimension).map { q in
            let scored = (0..<n).map { r -> (Int, Double) in
                var sum = 0.0
                for j in 0..<dimension { sum += Double(rows[r * dimension + j]) * Double(queries[q + j]) }
                return (r, sum)
            }
            return scored.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(k).map(\.0)
        }
    }

    private func checkAgainstBruteForce(rows n: Int, queries nq: Int, k: Int, rowBlock: Int,
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let d = 24
        let rows = randomMatrix(rows: n, dimension: d, seed: UInt64(n * 31 + nq))
        let queries = randomMatrix(rows: nq, dimension: d, seed: UInt64(nq * 7 + 5))
        let index = try FlatInnerProductIndex(dimension: d)
        index.rowBlock = rowBlock
        try index.add(rows)
        XCTAssertEqual(index.count, n, file: file, line: line)
        let results = try index.search(queries, k: k)
        let expected = bruteForce(rows, queries, dimension: d, k: k)
        XCTAssertEqual(results.count, nq, file: file, line: line)
        for (q, hits) in results.enumerated() {
            XCTAssertEqual(hits.map(\.id), expected[q], "query \(q)", file: file, line: line)
            for hit in hits {
                var sum: Float = 0
                for j in 0..<d { sum += rows[hit.id * d + j] * queries[q * d + j] }
                XCTAssertEqual(hit.score, sum, accuracy: 1e-4, file: file, line: line)
            }
        }
    }

    func testSingleQueryMatchesBruteForceAcrossRowBlocks() throws {
        try checkAgainstBruteForce(rows: 1000, queries: 1, k: 10, rowBlock: 128)
    }

    func testBatchOf64MatchesBruteForce() throws {
        try checkAgainstBruteForce(rows: 2000, queries: 64, k: 10, rowBlock: 300)
    }

    func testBatchLargerThanQueryBlockMatchesBruteForce() throws {
        try checkAgainstBruteForce(rows: 700, queries: 150, k: 7, rowBlock: 16_384)
    }

    func testKLargerThanRowCountReturnsEveryRowInOrder() throws {
        try checkAgainstBruteForce(rows: 5, queries: 3, k: 50, rowBlock: 2)
        let index = try FlatInnerProductIndex(dimension: 2)
        try index.add([1, 0, 0, 1, 0.5, 0.5])
        let hits = try index.search([1, 0], k: 10)[0]
        XCTAssertEqual(hits.map(\.id), [0, 2, 1])
        XCTAssertEqual(hits.map(\.score), [1, 0.5, 0])
    }

    func testEmptyIndexReturnsOneEmptyListPerQuery() throws {
        let index = try FlatInnerProductIndex(dimension: 4)
        XCTAssertEqual(index.count, 0)
        let results = try index.search([Float](repeating: 1, count: 12), k: 5)
        XCTAssertEqual(results.count, 3)
        XCTAssertTrue(results.allSatisfy(\.isEmpty))
        XCTAssertEqual(try index.search([], k: 5).count, 0)
    }

    func testEqualScoresRankTheLowerIDFirst() throws {
        let index = try FlatInnerProductIndex(dimension: 3)
        index.rowBlock = 2
        // Rows 1, 3 and 4 are the same vector; row 0 is worse, row 2 better.
        try index.add([0, 0, 1, 1, 1, 0, 2, 2, 0, 1, 1, 0, 1, 1, 0])
        let hits = try index.search([1, 1, 0, 1, 1, 0], k: 3)
        XCTAssertEqual(hits[0].map(\.id), [2, 1, 3])
        XCTAssertEqual(hits[1].map(\.id), [2, 1, 3])
    }

    func testMisshapenInputIsAnErrorNotACrash() throws {
        let index = try FlatInnerProductIndex(dimension: 4)
        XCTAssertThrowsError(try index.add([1, 2, 3])) { error in
            XCTAssertEqual(error as? VectorIndexError, .dimensionMismatch(dimension: 4, valueCount: 3))
        }
        try index.add([1, 2, 3, 4])
        XCTAssertThrowsError(try index.search([1, 2], k: 1))
        XCTAssertThrowsError(try index.search([1, 2, 3, 4], k: 0))
        XCTAssertThrowsError(try FlatInnerProductIndex(dimension: 0))
    }

    func testSearchesAMappedMatrixInPlaceAndCopiesOnlyWhenRowsAreAdded() throws {
        let d = 16
        let rows = randomMatrix(rows: 500, dimension: d, seed: 11)
        let queries = randomMatrix(rows: 9, dimension: d, seed: 12)
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent("rows.f32")
        try rows.withUnsafeBytes { try Data($0).write(to: url) }

        let matrix = try MappedMatrix(url: url, dimension: d)
        XCTAssertEqual(matrix.rows, 500)
        let mapped = FlatInnerProductIndex(mapping: matrix)
        XCTAssertEqual(mapped.rowData, matrix.base, "the index must read the mapping, not a copy")
        let inMemory = try FlatInnerProductIndex(dimension: d)
        try inMemory.add(rows)
        XCTAssertEqual(try mapped.search(queries, k: 10), try inMemory.search(queries, k: 10))

        let extra = randomMatrix(rows: 3, dimension: d, seed: 13)
        try mapped.add(extra)
        try inMemory.add(extra)
        XCTAssertEqual(mapped.count, 503)
        XCTAssertNotEqual(mapped.rowData, matrix.base)
        XCTAssertEqual(try mapped.search(queries, k: 10), try inMemory.search(queries, k: 10))
    }

    func testMappingFewerRowsThanTheFileAndRejectingMore() throws {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent("rows.f32")
        try [Float](repeating: 1, count: 10).withUnsafeBytes { try Data($0).write(to: url) }
        XCTAssertEqual(try MappedMatrix(url: url, dimension: 4).rows, 2)
        XCTAssertEqual(try MappedMatrix(url: url, dimension: 4, rows: 1).rows, 1)
        XCTAssertNil(try MappedMatrix(url: url, dimension: 4, rows: 0).base)
        XCTAssertThrowsError(try MappedMatrix(url: url, dimension: 4, rows: 3)) { error in
            XCTAssertTrue("\(error)".contains(url.path))
        }
        XCTAssertThrowsError(try MappedMatrix(url: url.appendingPathExtension("missing"), dimension: 4))
    }

    func testFullScoreMatrixMatchesDotProducts() throws {
        let d = 8
        let rows = randomMatrix(rows: 37, dimension: d, seed: 3)
        let queries = randomMatrix(rows: 2, dimension: d, seed: 4)
        let index = try FlatInnerProductIndex(dimension: d)
        try index.add(rows)
        let scores = try queries.withUnsafeBufferPointer { try index.scores($0) }
        XCTAssertEqual(scores.count, 2 * 37)
        for q in 0..<2 {
            for r in 0..<37 {
                let dot = (0..<d).reduce(Float(0)) { $0 + rows[r * d + $1] * queries[q * d + $1] }
                XCTAssertEqual(scores[q * 37 + r], dot, accuracy: 1e-5)
            }
        }
    }

    /// An index borrowing a caller's matrix finds what one owning a copy finds, scales scores as asked, and
    /// copies the rows before it grows (the caller's matrix is never written).
    func testBorrowedMatrixSearchesInPlaceAndIsCopiedBeforeGrowing() throws {
        let d = 8
        var rows = randomMatrix(rows: 50, dimension: d, seed: 11)
        let queries = randomMatrix(rows: 3, dimension: d, seed: 12)
        let owned = try FlatInnerProductIndex(dimension: d)
        try owned.add(rows)
        let original = rows
        try rows.withUnsafeMutableBufferPointer { matrix in
            let borrowed = FlatInnerProductIndex(borrowing: matrix.baseAddress!, rows: 50, dimension: d)
            XCTAssertEqual(try borrowed.search(queries, k: 7), try owned.search(queries, k: 7))
            let plain = try queries.withUnsafeBufferPointer { try borrowed.scores($0) }
            let scaled = try queries.withUnsafeBufferPointer { try borrowed.scores($0, scale: 20) }
            for (a, b) in zip(plain, scaled) { XCTAssertEqual(20 * a, b, accuracy: 1e-4) }
            try borrowed.add(randomMatrix(rows: 2, dimension: d, seed: 13))
            XCTAssertEqual(borrowed.count, 52)
            matrix[0] = 99  // the index holds its own copy now
            XCTAssertEqual(borrowed.rowData![0], original[0])
        }
    }

    func testHeapKeepsTheBestAndBreaksTiesByLowerID() {
        var heap = TopKHeap(capacity: 3)
        defer { heap.deallocate() }
        let offers: [(Int, Float)] = [(5, 1), (2, 3), (9, 2), (1, 2), (7, .nan), (4, 0.5), (0, 3)]
        for (id, score) in offers { heap.offer(score: score, id: id) }
        XCTAssertEqual(heap.sorted(), [Neighbor(id: 0, score: 3), Neighbor(id: 2, score: 3), Neighbor(id: 1, score: 2)])
    }
}
