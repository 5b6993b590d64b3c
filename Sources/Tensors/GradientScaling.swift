// An identity whose pullback scales: the adjoint of an op that hands the same value to `factor`
// consumers outside this graph. Data-parallel training uses it where every rank computes the same
// loss from gathered rows: the true gradient of a rank's rows is the sum over the ranks' identical
// copies of the loss, `factor` = ranks times the one this rank computed.

/// `x` unchanged, with the gradient flowing back into it multiplied by `factor`.
public func scalingGradient(_ x: Tensor, by factor: Float) -> Tensor {
    require(factor.isFinite, "scalingGradient: factor \(factor) is not finite")
    // A new tensor over the same storage (values are immutable once made), so the op has its own node.
    let out = Tensor(shape: x.shape, storage: x.storage)
    return out.recording([x]) { g in [scale(g, factor)] }
}
