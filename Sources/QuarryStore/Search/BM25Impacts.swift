import Foundation
import GRDB

/// FTS5's bm25() ranking, computed from the index's own postings without scoring every matching row
/// through SQL.
///
/// FTS5 answers `MATCH ... ORDER BY rank` by calling bm25() on each row that holds any query word, and each
/// call looks up the row's size; for a question that is thousands of rows and most of the time. Here each
/// word's postings are read once (from the `passages_fts_instances` vocabulary table: one row per
/// occurrence) and turned into per-row impacts with FTS5's formula and constants (k1 1.2, b 0.75, IDF
/// log((N - n + 0.5) / (n + 0.5)) floored at 1e-6, row length in tokens over title and text). A query then
/// adds its words' impacts in query order, the same additions in the same order as bm25() makes, so the
/// scores are the same doubles.
///
/// Cached impacts belong to one state of the index: every search first compares FTS5's averages and
/// structure records (a commit that changes the index rewrites both) with those the cache was built
/// from, and starts afresh when they differ. At most `postingBudget` postings are kept; past that the
/// cache is emptied and refilled by later queries.
final class BM25Impacts: @unchecked Sendable {
    static let k1 = 1.2
    static let b = 0.75

    /// One word's postings: dense row numbers (into `rowIDs`) in increasing order, and each row's impact.
    private struct Postings {
        var rows: [Int32] = []
        var impacts: [Double] = []
    }

    private let lock = NSLock()
    private let postingBudget: Int
    private var stamp: [Data] = []
    /// Every row of the index, ascending, and k1 * (1 - b + b * length / average length) for each.
    private var rowIDs: [Int64] = []
    private var lengthNorms: [Double] = []
    private var rowCount = 0.0
    private var postings: [String: Postings] = [:]
    private var cachedPostings = 0
    /// Accumulators, one per row, all zero between searches.
    private var scores: [Double] = []

    init(postingBudget: Int = 8_000_000) {
        self.postingBudget = postingBudget
    }

    /// The best `k` rows for the query whose phrases are the single index terms `terms` (repeats count
    /// again, as in FTS5), by score then rowid; nil when the index records cannot be read as expected, so
    /// the caller falls back to FTS5.
    func best(_ terms: [String], k: Int, _ db: Database) throws -> [(rowID: Int64, score: Double)]? {
        lock.lock()
        defer { lock.unlock() }
        guard try isCurrent(db) else { return nil }
        var lists: [Postings] = []
        for term in terms {
            guard let list = try postings(of: term, db) else { return nil }
            lists.append(list)
        }
        return topRows(accumulating: lists, k: k)
    }

    /// Brings the row lengths up to the index's present state, dropping cached postings when it changed.
    private func isCurrent(_ db: Database) throws -> Bool {
        let records = try Data.fetchAll(db.cachedStatement(
            sql: "SELECT block FROM passages_fts_data WHERE id IN (1, 10) ORDER BY id"))
        if records == stamp, !stamp.isEmpty { return true }
        postings = [:]
        cachedPostings = 0
        stamp = []
        guard records.count == 2, let totals = FTS5Records.averages(records[0]), totals.rows > 0,
              try loadLengths(rows: totals.rows, averageLength: Double(totals.tokens) / Double(totals.rows), db)
        else { return false }
        stamp = records
        return true
    }

    private func loadLengths(rows: Int64, averageLength: Double, _ db: Database) throws -> Bool {
        var ids: [Int64] = [], norms: [Double] = []
        ids.reserveCapacity(Int(rows))
        norms.reserveCapacity(Int(rows))
        let k1 = Self.k1, b = Self.b
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, sz FROM passages_fts_docsize ORDER BY id")
        while let row = try cursor.next() {
            guard let length = FTS5Records.rowTokens(row[1]) else { return false }
            ids.append(row[0])
            // bm25()'s denominator term, grouped as FTS5 groups it.
            norms.append(k1 * (1 - b + b * Double(length) / averageLength))
        }
        guard ids.count == Int(rows) else { return false }
        rowIDs = ids
        lengthNorms = norms
        rowCount = Double(rows)
        scores = Array(repeating: 0, count: ids.count)
        return true
    }

    /// A term's postings with impacts, from the cache or the index; nil when a posting names a row the
    /// index has no size for.
    private func postings(of term: String, _ db: Database) throws -> Postings? {
        if let cached = postings[term] { return cached }
        var counts: [(row: Int32, occurrences: Int)] = []
        var ordered = true
        let cursor = try Int64.fetchCursor(db.cachedStatement(
            sql: "SELECT doc FROM passages_fts_instances WHERE term = ?"), arguments: [term])
        while let rowID = try cursor.next() {
            if let last = counts.last, rowIDs[Int(last.row)] == rowID {
                counts[counts.count - 1].occurrences += 1
                continue
            }
            guard let row = denseRow(of: rowID) else { return nil }
            if let last = counts.last, last.row > row { ordered = false }
            counts.append((row, 1))
        }
        if !ordered { counts = merged(counts) }
        let list = impacts(of: counts)
        if cachedPostings + list.rows.count > postingBudget {
            postings = [:]
            cachedPostings = 0
        }
        postings[term] = list
        cachedPostings += list.rows.count
        return list
    }

    /// Occurrence counts per row when the vocabulary table did not list a term's rows in order.
    private func merged(_ counts: [(row: Int32, occurrences: Int)]) -> [(row: Int32, occurrences: Int)] {
        Dictionary(counts.map { ($0.row, $0.occurrences) }, uniquingKeysWith: +)
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// bm25()'s per-phrase term: idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * D / avgdl)).
    private func impacts(of counts: [(row: Int32, occurrences: Int)]) -> Postings {
        let matching = Double(counts.count)
        var idf = log((rowCount - matching + 0.5) / (matching + 0.5))
        if idf <= 0 { idf = 1e-6 }
        var list = Postings()
        list.rows = counts.map(\.row)
        list.impacts = counts.map { row, occurrences in
            let frequency = Double(occurrences)
            return idf * ((frequency * (Self.k1 + 1.0)) / (frequency + lengthNorms[Int(row)]))
        }
        return list
    }

    private func denseRow(of rowID: Int64) -> Int32? {
        var low = 0, high = rowIDs.count
        while low < high {
            let middle = (low + high) / 2
            if rowIDs[middle] < rowID { low = middle + 1 } else { high = middle }
        }
        return low < rowIDs.count && rowIDs[low] == rowID ? Int32(low) : nil
    }

    /// Adds the lists' impacts phrase by phrase (bm25()'s order of additions) and keeps the best `k` rows.
    /// Works on the accumulators swapped out into a local (not copied), which keeps the runtime's
    /// exclusivity checks on stored properties out of the loops.
    private func topRows(accumulating lists: [Postings], k: Int) -> [(rowID: Int64, score: Double)] {
        var accumulators: [Double] = []
        swap(&accumulators, &scores)
        defer { swap(&accumulators, &scores) }
        let postings = lists.reduce(0) { $0 + $1.rows.count }
        var best = TopK(k)
        accumulators.withUnsafeMutableBufferPointer { scores in
            // With postings for a good part of the rows, sweeping all accumulators afterwards costs less
            // than remembering which ones were reached.
            if postings * 8 >= scores.count {
                for list in lists { Self.add(list, to: scores) }
                collect(scores.indices, from: scores, into: &best)
            } else {
                var touched: [Int] = []
                touched.reserveCapacity(postings)
                for list in lists { Self.add(list, to: scores) { touched.append($0) } }
                collect(touched, from: scores, into: &best)
            }
        }
        return best.sorted()
    }

    /// Adds one phrase's impacts; `reached` hears of each row whose accumulator was still zero (impacts
    /// are positive, so zero means no phrase has reached the row yet).
    private static func add(_ list: Postings, to scores: UnsafeMutableBufferPointer<Double>,
                            reached: ((Int) -> Void)? = nil) {
        list.rows.withUnsafeBufferPointer { rows in
            list.impacts.withUnsafeBufferPointer { impacts in
                if let reached {
                    for index in rows.indices {
                        let row = Int(rows[index])
                        if scores[row] == 0 { reached(row) }
                        scores[row] += impacts[index]
                    }
                } else {
                    for index in rows.indices { scores[Int(rows[index])] += impacts[index] }
                }
            }
        }
    }

    /// Offers the reached rows among `rows` to `best` and sets their accumulators back to zero.
    private func collect<Rows: Sequence<Int>>(_ rows: Rows, from scores: UnsafeMutableBufferPointer<Double>,
                                              into best: inout TopK) {
        rowIDs.withUnsafeBufferPointer { rowIDs in
            for row in rows where scores[row] != 0 {
                best.offer(score: scores[row], rowID: rowIDs[row])
                scores[row] = 0
            }
        }
    }
}

/// The `k` best (score, rowid) pairs seen, best meaning a higher score, then a lower rowid (the order of
/// the FTS5 query's `ORDER BY rank, id`). A binary heap with the worst kept pair at its root.
struct TopK {
    private let k: Int
    private var heap: [(score: Double, rowID: Int64)] = []

    init(_ k: Int) {
        self.k = k
        heap.reserveCapacity(k)
    }

    static func isBetter(_ a: (score: Double, rowID: Int64), than b: (score: Double, rowID: Int64)) -> Bool {
        a.score != b.score ? a.score > b.score : a.rowID < b.rowID
    }

    mutating func offer(score: Double, rowID: Int64) {
        let pair = (score: score, rowID: rowID)
        if heap.count == k, k > 0, score < heap[0].score { return }  // the usual case, decided cheaply
        if heap.count < k {
            heap.append(pair)
            siftUp(heap.count - 1)
        } else if k > 0, Self.isBetter(pair, than: heap[0]) {
            heap[0] = pair
            siftDown(0)
        }
    }

    func sorted() -> [(rowID: Int64, score: Double)] {
        heap.sorted(by: Self.isBetter).map { ($0.rowID, $0.score) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.isBetter(heap[parent], than: heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var worst = parent
            let left = 2 * parent + 1, right = left + 1
            if left < heap.count, Self.isBetter(heap[worst], than: heap[left]) { worst = left }
            if right < heap.count, Self.isBetter(heap[worst], than: heap[right]) { worst = right }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
