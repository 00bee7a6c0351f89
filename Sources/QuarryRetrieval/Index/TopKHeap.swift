/// A bounded min-heap keeping the `capacity` best (score, id) pairs seen: the root is the worst kept,
/// so a new candidate costs one comparison unless it enters. Ties rank the lower id first.
/// Storage is two flat buffers so the search loop touches no Swift arrays.
public struct TopKHeap {
    public let capacity: Int
    public private(set) var count: Int = 0
    @usableFromInline var scores: UnsafeMutablePointer<Float>
    @usableFromInline var ids: UnsafeMutablePointer<Int>

    /// Allocates room for `capacity` entries; call `deallocate()` when done.
    public init(capacity: Int) {
        precondition(capacity > 0, "a top-k heap needs a positive capacity")
        self.capacity = capacity
        scores = .allocate(capacity: capacity)
        ids = .allocate(capacity: capacity)
    }

    public func deallocate() {
        scores.deallocate()
        ids.deallocate()
    }

    public mutating func removeAll() { count = 0 }

    /// True when the heap is full, so `worstScore` is the bar a candidate must clear.
    @inline(__always) public var isFull: Bool { count == capacity }

    /// Score of the worst entry kept (the root); only meaningful when `count > 0`.
    @inline(__always) public var worstScore: Float { scores[0] }

    /// Offers a candidate; NaN scores are never kept.
    @inline(__always)
    public mutating func offer(score: Float, id: Int) {
        if count < capacity {
            if score.isNaN { return }
            push(score: score, id: id)
        } else if score > scores[0] || (score == scores[0] && id < ids[0]) {
            replaceRoot(score: score, id: id)
        }
    }

    /// Offers a run of scores whose ids are `firstID, firstID + 1, …` in increasing order. Because ids only
    /// grow, an equal score never displaces a kept entry, so the loop needs one comparison per score.
    @inline(__always)
    public mutating func offer(scores run: UnsafePointer<Float>, count n: Int, firstID: Int) {
        var j = 0
        while j < n && count < capacity {
            offer(score: run[j], id: firstID &+ j)
            j &+= 1
        }
        if count < capacity { return }
        var bar = scores[0]
        while j < n {
            let s = run[j]
            if s > bar {
                replaceRoot(score: s, id: firstID &+ j)
                bar = scores[0]
            }
            j &+= 1
        }
    }

    /// The kept entries, best first.
    public func sorted() -> [Neighbor] {
        var result = [Neighbor]()
        result.reserveCapacity(count)
        for i in 0..<count { result.append(Neighbor(id: ids[i], score: scores[i])) }
        result.sort { $0.ranksBefore($1) }
        return result
    }

    // "a worse than b" is the heap order: the root is the worst entry.
    @inline(__always)
    private func worse(_ a: Int, _ b: Int) -> Bool {
        scores[a] < scores[b] || (scores[a] == scores[b] && ids[a] > ids[b])
    }

    @inline(__always)
    private mutating func push(score: Float, id: Int) {
        var i = count
        scores[i] = score
        ids[i] = id
        count &+= 1
        while i > 0 {
            let parent = (i &- 1) >> 1
            guard worse(i, parent) else { break }
            swapAt(i, parent)
            i = parent
        }
    }

    @inline(__always)
    private mutating func replaceRoot(score: Float, id: Int) {
        scores[0] = score
        ids[0] = id
        var i = 0
        while true {
            let left = 2 &* i &+ 1
            if left >= count { break }
            let right = left &+ 1
            let child = right < count && worse(right, left) ? right : left
            guard worse(child, i) else { break }
            swapAt(i, child)
            i = child
        }
    }

    @inline(__always)
    private func swapAt(_ a: Int, _ b: Int) {
        let s = scores[a]; scores[a] = scores[b]; scores[b] = s
        let d = ids[a]; ids[a] = ids[b]; ids[b] = d
    }
}
