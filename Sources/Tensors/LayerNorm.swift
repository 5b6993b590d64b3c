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
                            var m1: Float = 0, m2: Float = 0
                            for i in 0..<c {
                                let xhat = (a[i] - mu) * rs, dxhat = gr[i] * wp[i]
                                tw[i] += gr[i] * xhat; tb[i] += gr[i]
                                m1 += dxhat; m2 += dxhat * xhat
                            }
                            guard let dx else { continue }
                            m1 /= Float(c); m2 /= Float(c)
                            let d = dx.storage.pointer + r * c
                            for i in 0..<c {
                                let xhat = (a[i] - mu) * rs
                                d[i] = rs * (gr[i] * wp[i] - m1 - xhat * m2)
                            }
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
