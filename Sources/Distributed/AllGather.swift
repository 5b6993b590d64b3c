import Tensors

extension Communicator {
    /// Every rank's `mine` joined in rank order, `counts[r]` values from rank r (the same `counts`
    /// on every rank).
    ///
    /// One all-reduce of a zero-filled buffer in which each rank fills only its own slice: adding
    /// zeros is exact, so the result is the ranks' values unchanged (a −0 may come back as +0), and
    /// communicators need no second kind of collective.
    public func allGather(_ mine: [Float], counts: [Int]) throws -> [Float] {
        require(counts.count == size && counts.allSatisfy { $0 >= 0 },
                "allGather: \(counts.count) counts for \(size) ranks, or a negative count (\(counts))")
        require(mine.count == counts[rank], "allGather: rank \(rank) gives \(mine.count) values, counts say \(counts[rank])")
        guard size > 1 else { return mine }
        let offset = counts[..<rank].reduce(0, +)
        var all = [Float](repeating: 0, count: counts.reduce(0, +))
        all.replaceSubrange(offset..<(offset + mine.count), with: mine)
        try allReduceSum(&all)
        return all
    }
}
