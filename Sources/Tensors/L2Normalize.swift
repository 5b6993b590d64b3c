// x / max(‖x‖, ε) along the last axis (torch F.normalize).
// Pullback where ‖x‖ > ε: dx = (g − y·(g·y)) / ‖x‖; where clamped: dx = g / ε.

/// Rows scaled to unit L2 norm.
public func l2Normalize(_ x: Tensor, eps: Float = 1e-12) -> Tensor {
    let n = x.shape.last ?? 1, rows = x.count / max(n, 1)
    let out = Tensor.uninitialized(x.shape)
    var norms = [Float](repeating: 0, count: rows)
    let xp = x.storage.pointer, op = out.storage.pointer
    for r in 0..<rows {
        var s: Float = 0
        for i in 0..<n { s += xp[r * n + i] * xp[r * n + i] }
        let norm = max(s.squareRoot(), eps)
        norms[r] = norm
        for i in 0..<n { op[r * n + i] = xp[r * n + i] / norm }
    }
    return out.recording([x]) { g in
        let d = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = d.storage.pointer
        for r in 0..<rows {
            let norm = norms[r]
            let clamped = norm <= eps
            var dot: Float = 0
            if !clamped { for i in 0..<n { dot += gp[r * n + i] * op[r * n + i] } }
            for i in 0..<n { dp[r * n + i] = (gp[r * n + i] - op[r * n + i] * dot) / norm }
        }
        return [d]
    }
}
