import Tensors

/// Retrieval in pools (SGDiff's view of faithfulness): row q of the queries against the candidates
/// of its pool (consecutive blocks of `pool` rows; a remainder is left out), a hit at k when fewer
/// than k candidates of the pool score strictly higher than its own (row q). With graph vectors as
/// queries it is graph→image recall; swapped, image→graph.
public enum PooledRecall {
    /// Recall at 1 and at 5 of unit-length rows [N, G] of `queries` against `candidates`.
    public static func rates(_ queries: Tensor, _ candidates: Tensor, pool: Int) -> (atOne: Double, atFive: Double) {
        var hits1 = 0, hits5 = 0, asked = 0
        for lower in stride(from: 0, through: queries.shape[0] - pool, by: pool) {
            for q in lower..<(lower + pool) {
                let own = dot(queries, q, candidates, q)
                let better = (lower..<(lower + pool)).filter { dot(queries, q, candidates, $0) > own }.count
                hits1 += better < 1 ? 1 : 0; hits5 += better < 5 ? 1 : 0; asked += 1
            }
        }
        return (Double(hits1) / Double(max(asked, 1)), Double(hits5) / Double(max(asked, 1)))
    }

    /// The dot product of row i of a and row j of b (both [N, G]).
    public static func dot(_ a: Tensor, _ i: Int, _ b: Tensor, _ j: Int) -> Float {
        let n = a.shape[1], ap = a.storage.pointer + i * n, bp = b.storage.pointer + j * n
        var s: Float = 0
        for k in 0..<n { s += ap[k] * bp[k] }
        return s
    }
}
