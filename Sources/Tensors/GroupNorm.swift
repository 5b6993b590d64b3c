// Group normalisation: x [B, C, *] with C split into G groups; statistics per (b, g) over the
// group's channels and positions (biased variance, as PyTorch), then a per-channel affine.
// In NCHW a (b, g) group is one contiguous run of (C/G)·S values.
//
// Pullback with x̂ = (x − μ)·r, r = 1/√(σ² + ε), dx̂ = g·w[c]:
//   dx = r · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))   over the group
//   dw[c] = Σ g·x̂,  db[c] = Σ g   over batch and positions

/// GroupNorm(groups, C) applied to [B, C, *].
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
    precondition(x.rank >= 2 && x.shape[1] % groups == 0, "groupNorm: \(x.shape) in \(groups) groups")
    let (batch, channels) = (x.shape[0], x.shape[1])
    precondition(weight.shape == [channels] && bias.shape == [channels], "groupNorm: affine \(weight.shape) for \(channels) channels")
    let spatial = x.count / max(batch * channels, 1), perGroup = channels / groups, groupSize = perGroup * spatial
    let out = Tensor.uninitialized(x.shape)
    // Saved for the pullback: mean and reciprocal std per (b, g).
    var mean = [Float](repeating: 0, count: batch * groups), rstd = mean
    let xp = x.storage.pointer, op = out.storage.pointer, wp = weight.storage.pointer, bp = bias.storage.pointer
    mean.withUnsafeMutableBufferPointer { mb in rstd.withUnsafeMutableBufferPointer { rb in
        let mp = mb.baseAddress!, rp = rb.baseAddress!
        parallelChunks(batch * groups, minimumPerThread: max(1, 16_384 / max(groupSize, 1))) { range in
            for bg in range {
                let a = xp + bg * groupSize, o = op + bg * groupSize
                let mu = vectorSum(a, groupSize) / Float(groupSize)
                let sq = vectorSquaredDeviation(a, groupSize, mean: mu)
                let r = 1 / (sq / Float(groupSize) + eps).squareRoot()
                mp[bg] = mu; rp[bg] = r
                let c0 = (bg % groups) * perGroup
                for c in 0..<perGroup {
                    let scaleC = wp[c0 + c] * r, shiftC = bp[c0 + c] - mu * scaleC
                    let ac = a + c * spatial, oc = o + c * spatial
                    for i in 0..<spatial { oc[i] = ac[i] * scaleC + shiftC }
                }
            }
        }
    } }
    return out.recording([x, weight, bias]) { g in
        let gp = g.storage.pointer
        let dx = x.requiresGrad ? Tensor.uninitialized(x.shape) : nil
        // Per (b, c): Σ g and Σ g·x̂ — both the affine gradients and the dx terms are built from them.
        var sumG = [Float](repeating: 0, count: batch * channels), sumGX = sumG
        sumG.withUnsafeMutableBufferPointer { sgb in sumGX.withUnsafeMutableBufferPointer { sxb in
            mean.withUnsafeBufferPointer { mb in rstd.withUnsafeBufferPointer { rb in
                let sg = sgb.baseAddress!, sx = sxb.baseAddress!, mp = mb.baseAddress!, rp = rb.baseAddress!
                parallelChunks(batch * groups, minimumPerThread: max(1, 16_384 / max(groupSize, 1))) { range in
                    for bg in range {
                        let a = xp + bg * groupSize, gr = gp + bg * groupSize
                        let mu = mp[bg], r = rp[bg], c0 = (bg % groups) * perGroup, b = bg / groups
                        var groupDxhat: Float = 0, groupDxhatXhat: Float = 0
                        for c in 0..<perGroup {
                            var s1: Float = 0, s2: Float = 0
                            let ac = a + c * spatial, gc = gr + c * spatial
                            for i in 0..<spatial { s1 += gc[i]; s2 += gc[i] * (ac[i] - mu) * r }
                            sg[b * channels + c0 + c] = s1; sx[b * channels + c0 + c] = s2
                            groupDxhat += s1 * wp[c0 + c]; groupDxhatXhat += s2 * wp[c0 + c]
                        }
                        guard let dx else { continue }
                        let d = dx.storage.pointer + bg * groupSize
                        let m1 = groupDxhat / Float(groupSize), m2 = groupDxhatXhat / Float(groupSize)
                        for c in 0..<perGroup {
                            let wc = wp[c0 + c], ac = a + c * spatial, gc = gr + c * spatial, dc = d + c * spatial
                            for i in 0..<spatial {
                                let xhat = (ac[i] - mu) * r
                                dc[i] = r * (gc[i] * wc - m1 - xhat * m2)
                            }
                        }
                    }
                }
            } }
        } }
        var dw: Tensor? = nil, db: Tensor? = nil
        if weight.requiresGrad { dw = Tensor(shape: [batch, channels], scalars: sumGX).summed(toShape: [1, channels]).reshaped([channels]) }
        if bias.requiresGrad { db = Tensor(shape: [batch, channels], scalars: sumG).summed(toShape: [1, channels]).reshaped([channels]) }
        return [dx, dw, db]
    }
}
