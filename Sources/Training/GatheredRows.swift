import Collectives
import Tensors

// Losses that couple the whole global batch (pretraining's InfoNCE) are computed whole on every
// rank from gathered rows. The gradient averager divides the sum of the ranks' gradients by N, so
// each rank must back-propagate N times its own part of the global loss: for rows gathered from
// all ranks that part is ∂L/∂(own rows) (the other rows are constants here), and the adjoint of
// the all-gather — a sum over the N ranks' identical copies of the loss — is N times it.

extension DataParallel {
    /// The rows of every rank in rank order, `counts[r]` from rank r: [Σ counts, width]. This
    /// rank's rows are `local` ([counts[rank], width]) and carry its gradient; the others are constants.
    func allGather(_ local: Tensor, counts: [Int]) throws -> Tensor {
        require(local.rank == 2, "allGather: rows [n, width], got \(local.shape)")
        guard communicator.size > 1 else { return local }
        let width = local.shape[1]
        let all = try communicator.allGather(local.scalars, counts: counts.map { $0 * width })
        return stacked(all, local: local, counts: counts)
    }

    /// The gathered values `all` as [Σ counts, width] with this rank's rows replaced by `local`,
    /// whose gradient is multiplied by the number of ranks (see above).
    func stacked(_ all: [Float], local: Tensor, counts: [Int]) -> Tensor {
        let width = local.shape[1], rank = communicator.rank, total = counts.reduce(0, +)
        require(counts.count == communicator.size && local.shape[0] == counts[rank] && all.count == total * width && total > 0,
                "stacked: \(all.count) values, local \(local.shape), counts \(counts) on rank \(rank)")
        let start = counts[..<rank].reduce(0, +), end = start + counts[rank]
        let before = Tensor(shape: [start, width], scalars: Array(all[..<(start * width)]))
        let after = Tensor(shape: [total - end, width], scalars: Array(all[(end * width)...]))
        let mine = scalingGradient(local, by: Float(communicator.size))
        return concat([before, mine, after].filter { $0.shape[0] > 0 }, axis: 0)
    }

    /// This rank's term of a mean over the global batch: `localMean` is the mean over this rank's
    /// `localCount` items, `globalCount` the items of all ranks. Scaled by N·localCount/globalCount
    /// it is N times this rank's part of the global mean, so the ranks' average — of the values
    /// logged and of the gradients — is the global mean's.
    func globalMeanTerm(_ localMean: Tensor, localCount: Int, globalCount: Int) -> Tensor {
        require(localCount >= 0 && globalCount > 0, "globalMeanTerm: \(localCount) of \(globalCount) items")
        return localMean * (Float(communicator.size * localCount) / Float(globalCount))
    }
}
