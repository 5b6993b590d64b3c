// Layer normalisation over the last dimension: x [*, C], per-row statistics (biased variance),
// per-feature affine. Pullback as for group norm with one row as the group:
//   dx = r · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)),  dw = Σ_rows g·x̂,  db = Σ_rows g

/// LayerNorm(C) applied to [*, C].
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
    let c = x.shape.last ?? 0
    require(weight.shape == [c] && bias.shape == [c], "layerNorm: affine \(weight.shape) for last dimension \(c)")
    let rows = x.count / max(c, 1)
    let out = Tensor.uninitialized(x.shape)
    var mean = [Float](repeating: 0, count: rows), rstd = mean
    let xp = x.storage.pointer, op = out.storage.pointer, wp = weight.storage.pointer, bp = bias.storage.pointer
    mean.withUnsafeMutableBufferPointer { mb in rstd.withUnsafeMutableBufferPointer { rb in
        let mp = mb.baseAddress!, rp = rb.baseAddress!
        parallelChunks(rows, minimumPerThread: max(1, 16_384 / max(c, 1))) { range in
            for r in range {
                let a = xp + r * c, o = op + r * c
                let mu = vectorSum(a, c) / Float(c)
                let sq = vectorSquaredDeviation(a, c, mean: mu)
                let rs = 1 / (sq / Float(c) + eps).squareRoot()
                mp[r] = mu; rp[r] = rs
                for i in 0..<c { o[i] = (a[i] - mu) * rs * wp[i] + bp[i] }
            }
        }
    } }
    return out.recording([x, weight, bias]) { g in
        let gp = g.storage.pointer
        let dx = x.requiresGrad ? Tensor.uninitialized(x.shape) : nil
        let threads = ParallelConfig.threadCount
        // Per-thread partial sums of the affine gradients, added at the end.
        var partialW = [Float](repeating: 0, count: threads * c), partialB = partialW
        partialW.withUnsafeMutableBufferPointer { pwb in partialB.withUnsafeMutableBufferPointer { pbb in
            mean.withUnsafeBufferPointer { mb in rstd.withUnsafeBufferPointer { rb in
                let pw = pwb.baseAddress!, pb = pbb.baseAddress!, mp = mb.baseAddress!, rp = rb.baseAddress!
                let chunk = (rows + threads - 1) / threads
                parallelChunks(threads) { ts in
                    for t in ts {
                        let tw = pw + t * c, tb = pb + t * c
                        for r in (t * chunk)..<min(rows, (t + 1) * chunk) {
                            let a = xp + r * c, gr = gp + r * c, mu = mp[r], rs = rp[r]
                            let (s1, s2) = layerNormPullbackSums(a, gr, wp, tw, tb, c, mean: mu, rstd: rs)
                            guard let dx else { continue }
                            layerNormPullbackRow(a, gr, wp, dx.storage.pointer + r * c, c, mean: mu, rstd: rs,
                                                 m1: s1 / Float(c), m2: s2 / Float(c))
                        }
                    }
                }
            } }
        } }
        let dw = weight.requiresGrad ? Tensor(shape: [threads, c], scalars: partialW).summed(toShape: [1, c]).reshaped([c]) : nil
        let db = bias.requiresGrad ? Tensor(shape: [threads, c], scalars: partialB).summed(toShape: [1, c]).reshaped([c]) : nil
        return [dx, dw, db]
    }
}

/// One row of the pullback's sums, sixteen lanes at a time (the scalar loop's float reductions
/// kept it from vectorising): tw += g·x̂, tb += g, and returns (Σ g·w, Σ g·w·x̂).
@inline(never)
func layerNormPullbackSums(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                           _ tw: UnsafeMutablePointer<Float>, _ tb: UnsafeMutablePointer<Float>, _ n: Int,
                           mean: Float, rstd: Float) -> (Float, Float) {
    let meanV = FloatVector(repeating: mean), rstdV = FloatVector(repeating: rstd)
    var m1 = FloatVector(), m2 = FloatVector(), i = 0
    while i < n {
        let count = n - i, whole = count >= 16
        // Padding x with the mean and g with 0 makes the padded lanes contribute nothing.
        let xv = whole ? loadVector(x, i) : loadPartialVector(x, i, count: count, padding: mean)
        let gv = whole ? loadVector(g, i) : loadPartialVector(g, i, count: count, padding: 0)
        let wv = whole ? loadVector(w, i) : loadPartialVector(w, i, count: count, padding: 0)
        let twv = whole ? loadVector(tw, i) : loadPartialVector(tw, i, count: count, padding: 0)
        let tbv = whole ? loadVector(tb, i) : loadPartialVector(tb, i, count: count, padding: 0)
        let xhat = (xv - meanV) * rstdV, dxhat = gv * wv
        let newTw = multiplyAdd(gv, xhat, twv), newTb = tbv + gv
        if whole { storeVector(newTw, tw, i); storeVector(newTb, tb, i) } else {
            storePartialVector(newTw, tw, i, count: count); storePartialVector(newTb, tb, i, count: count)
        }
        m1 += dxhat; m2 = multiplyAdd(dxhat, xhat, m2)
        i += 16
    }
    return (horizontalSum(m1), horizontalSum(m2))
}

/// dx = r·(g·w − m1 − x̂·m2) for one row, sixteen lanes at a time.
@inline(never)
func layerNormPullbackRow(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                          _ dx: UnsafeMutablePointer<Float>, _ n: Int, mean: Float, rstd: Float, m1: Float, m2: Float) {
    let meanV = FloatVector(repeating: mean), rstdV = FloatVector(repeating: rstd)
    let m1V = FloatVector(repeating: m1), m2V = FloatVector(repeating: m2)
    var i = 0
    while i < n {
        let count = n - i, whole = count >= 16
        let xv = whole ? loadVector(x, i) : loadPartialVector(x, i, count: count, padding: 0)
        let gv = whole ? loadVector(g, i) : loadPartialVector(g, i, count: count, padding: 0)
        let wv = whole ? loadVector(w, i) : loadPartialVector(w, i, count: count, padding: 0)
        let xhat = (xv - meanV) * rstdV
        let d = rstdV * (gv * wv - m1V - xhat * m2V)
        if whole { storeVector(d, dx, i) } else { storePartialVector(d, dx, i, count: count) }
        i += 16
    }
}
