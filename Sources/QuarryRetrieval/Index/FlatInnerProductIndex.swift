import COpenBLAS
import Dispatch
import Foundation

/// The exact index: every query is scored against every row with `cblas_sgemm`, a block of rows at a
/// time so the score buffer stays small, and a bounded heap per query keeps the best `k`.
/// It is the ground truth other indexes are tested against, and the one exact search of the code base
/// (the trainer's evaluations and fidelity measures use it too). Rows live in memory owned by the index,
/// in a memory-mapped matrix, or in a caller's matrix; the last two are searched in place.
public final class FlatInnerProductIndex: VectorIndex, @unchecked Sendable {
    public let dimension: Int
    public private(set) var count: Int = 0

    /// Queries scored together by one `sgemm` (larger batches are cut into chunks of this size).
    public var queryBlock = 64
    /// Rows scored by one `sgemm`; with `queryBlock` it sets the score buffer size.
    public var rowBlock = 16_384

    private var owned: UnsafeMutablePointer<Float>?
    private var ownedCapacity = 0  // in rows
    private var mapped: MappedMatrix?
    private var borrowed: UnsafePointer<Float>?

    /// An empty index whose rows will be added in memory.
    public init(dimension: Int) throws {
        guard dimension > 0 else { throw VectorIndexError.invalidDimension(dimension) }
        self.dimension = dimension
    }

    /// An index over a memory-mapped matrix, searched without copying. Adding rows later copies the
    /// mapped rows into memory first.
    public init(mapping matrix: MappedMatrix) {
        dimension = matrix.dimension
        count = matrix.rows
        mapped = matrix
    }

    /// An index over `rows` rows of a caller's [rows, dimension] matrix, searched without copying: the caller
    /// keeps the matrix alive and unchanged while the index is used. Adding rows later copies them first.
    public init(borrowing matrix: UnsafePointer<Float>, rows: Int, dimension: Int) {
        self.dimension = dimension
        count = rows
        borrowed = matrix
    }

    deinit { owned?.deallocate() }

    /// First float of row 0 (nil when empty).
    public var rowData: UnsafePointer<Float>? {
        if let mapped { return mapped.base }
        if let borrowed { return borrowed }
        return owned.map { UnsafePointer($0) }
    }

    public func add(_ vectors: UnsafeBufferPointer<Float>) throws {
        guard vectors.count % dimension == 0 else {
            throw VectorIndexError.dimensionMismatch(dimension: dimension, valueCount: vectors.count)
        }
        let newRows = vectors.count / dimension
        guard newRows > 0, let source = vectors.baseAddress else { return }
        reserve(rows: count + newRows)
        (owned! + count * dimension).update(from: source, count: vectors.count)
        count += newRows
    }

    /// Makes room for `rows` rows in owned memory, moving mapped rows in if needed.
    private func reserve(rows: Int) {
        if mapped == nil && borrowed == nil && rows <= ownedCapacity { return }
        let capacity = max(rows, ownedCapacity * 2, 1024)
        let grown = UnsafeMutablePointer<Float>.allocate(capacity: capacity * dimension)
        if count > 0, let old = rowData { grown.update(from: old, count: count * dimension) }
        owned?.deallocate()
        owned = grown
        ownedCapacity = capacity
        mapped = nil
        borrowed = nil
    }

    public func search(_ queries: UnsafeBufferPointer<Float>, k: Int) throws -> [[Neighbor]] {
        guard k > 0 else { throw VectorIndexError.invalidK(k) }
        guard queries.count % dimension == 0 else {
            throw VectorIndexError.dimensionMismatch(dimension: dimension, valueCount: queries.count)
        }
        let queryCount = queries.count / dimension
        guard queryCount > 0, let queryBase = queries.baseAddress else { return [] }
        guard count > 0, let rows = rowData else { return Array(repeating: [], count: queryCount) }

        let keep = min(k, count)
        let qBlock = max(1, queryBlock)
        let rBlock = max(1, min(rowBlock, count))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: qBlock * rBlock)
        defer { scores.deallocate() }
        var heaps = (0..<min(qBlock, queryCount)).map { _ in TopKHeap(capacity: keep) }
        defer { heaps.forEach { $0.deallocate() } }

        var results = [[Neighbor]]()
        results.reserveCapacity(queryCount)
        var q0 = 0
        while q0 < queryCount {
            let nq = min(qBlock, queryCount - q0)
            for i in 0..<nq { heaps[i].removeAll() }
            scanRows(rows, queries: queryBase + q0 * dimension, queryCount: nq,
                     rowBlock: rBlock, scores: scores, heaps: &heaps)
            for i in 0..<nq { results.append(heaps[i].sorted()) }
            q0 += nq
        }
        return results
    }

    /// Scores `queryCount` queries against every row, block by block, feeding each query's heap.
    private func scanRows(_ rows: UnsafePointer<Float>, queries: UnsafePointer<Float>, queryCount nq: Int,
                          rowBlock: Int, scores: UnsafeMutablePointer<Float>, heaps: inout [TopKHeap]) {
        let d = Int32(dimension)
        var r0 = 0
        while r0 < count {
            let nr = min(rowBlock, count - r0)
            let block = rows + r0 * dimension
            if nq == 1 {
                // One query: a matrix-vector product reads the rows once and needs no packing.
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(nr), d, 1, block, d, queries, 1, 0, scores, 1)
            } else {
                // scores[nq × nr] = queries[nq × d] · block[nr × d]ᵀ
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(nq), Int32(nr), d,
                            1, queries, d, block, d, 0, scores, Int32(nr))
            }
            selectTop(scores: scores, queryCount: nq, rowCount: nr, firstID: r0, heaps: &heaps)
            r0 += nr
        }
    }

    /// Feeds one block of scores to the heaps; queries are split across the cores when there are several.
    private func selectTop(scores: UnsafeMutablePointer<Float>, queryCount nq: Int, rowCount nr: Int,
                           firstID: Int, heaps: inout [TopKHeap]) {
        let workers = nq >= 8 ? FlatInnerProductIndex.selectionThreads : 1
        heaps.withUnsafeMutableBufferPointer { heapBuffer in
            let heapBase = heapBuffer.baseAddress!
            if workers == 1 {
                for i in 0..<nq { heapBase[i].offer(scores: scores + i * nr, count: nr, firstID: firstID) }
                return
            }
            let perWorker = (nq + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let start = w * perWorker
                let end = min(nq, start + perWorker)
                var i = start
                while i < end {
                    heapBase[i].offer(scores: scores + i * nr, count: nr, firstID: firstID)
                    i += 1
                }
            }
        }
    }

    /// Threads used for heap selection over a block (the machine's active cores).
    public static var selectionThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Every score, times `scale`: `queries.count / dimension` rows of `count` inner products, row-major. This
    /// is the full matrix product the trainer's measures need (a softmax over every passage).
    public func scores(_ queries: UnsafeBufferPointer<Float>, scale: Float = 1) throws -> [Float] {
        guard queries.count % dimension == 0 else {
            throw VectorIndexError.dimensionMismatch(dimension: dimension, valueCount: queries.count)
        }
        let values = queries.count / dimension * count
        return try [Float](unsafeUninitializedCapacity: values) { buffer, initialized in
            if values > 0 { try scores(queries, scale: scale, into: buffer.baseAddress!) }
            initialized = values
        }
    }

    /// `scores(_:scale:)` written into `out`, which holds `queries.count / dimension × count` floats.
    public func scores(_ queries: UnsafeBufferPointer<Float>, scale: Float = 1, into out: UnsafeMutablePointer<Float>) throws {
        guard queries.count % dimension == 0 else {
            throw VectorIndexError.dimensionMismatch(dimension: dimension, valueCount: queries.count)
        }
        let nq = queries.count / dimension
        guard nq > 0, count > 0, let rows = rowData, let queryBase = queries.baseAddress else { return }
        let d = Int32(dimension)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(nq), Int32(count), d,
                    scale, queryBase, d, rows, d, 0, out, Int32(count))
    }
}
