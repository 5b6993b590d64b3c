// Group normalisation: x [B, C, *] with C split into G groups; statistics per (b, g) over the
// group's channels and positions (biased variance, as PyTorch), then a per-channel affine.
// In NCHW a (b, g) group is one contiguous run of (C/G)·S values.
//
// Pullback with x̂ = (x − μ)·r, r = 1/√(σ² + ε), dx̂ = g·w[c]:
//   dx = r · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))   over the group
//   dw[c] = Σ g·x̂,  db[c] = Σ g   over batch and positions
//
// groupNormSiLU fuses the SiLU every ResBlock applies next: y = z·σ(z) with z the normalised
// output. z is not kept; the pullback recomputes it from x and the saved statistics and first
// turns g into dz = g·σ(z)·(1 + z·(1 − σ(z))), then runs the group norm pullback on dz.

/// GroupNorm(groups, C) applied to [B, C, *].
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
    groupNormKernel(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: false)
}

/// SiLU(GroupNorm(groups, C)(x)) as one op: one pass over memory and one saved tensor fewer.
public func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
    groupNormKernel(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: true)
}

func groupNormKernel(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, silu: Bool) -> Tensor {
    require(x.rank >= 2 && x.shape[1] % groups == 0, "groupNorm: \(x.shape) in \(groups) groups")
    let (batch, channels) = (x.shape[0], x.shape[1])
    require(weight.shape == [channels] && bias.shape == [channels], "groupNorm: affine \(weight.shape) for \(channels) channels")
    let spatial = x.count / max(batch * channels, 1), perGroup = channels / groups, groupSize = perGroup * spatial
    let out = Tensor.uninitialized(x.shape)
    // Saved for the pullback: mean and reciprocal std per (b, g).
    var mean = [Float](repeating: 0, count: batch * groups), rstd = mean
    let xp = x.storage.pointer, op = out.storage.pointer, wp = weight.storage.pointer, bp = bias.storage.pointer
    let grain = max(1, 16_384 / max(groupSize, 1))
    mean.withUnsafeMutableBufferPointer { mb in rstd.withUnsafeMutableBufferPointer { rb in
        let mp = mb.baseAddress!, rp = rb.baseAddress!
        parallelChunks(batch * groups, minimumPerThread: grain) { range in
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
                    if silu { scaleShiftSiLURow(ac, oc, spatial, scale: scaleC, shift: shiftC) } else { scaleShiftRow(ac, oc, spatial, scale: scaleC, shift: shiftC) }
                }
            }
        }
    } }
    return out.recording([x, weight, bias]) { g in
        // With SiLU fused, dz is written into this buffer first and dx then overwrites it in place
        // (each element of dx needs only its own dz and the group's sums).
        let dx = x.requiresGrad || silu ? Tensor.uninitialized(x.shape) : nil
        let gp = g.storage.pointer
        // Per (b, c): Σ dz and Σ dz·x̂ — both the affine gradients and the dx terms are built from them.
        var sumG = [Float](repeating: 0, count: batch * channels), sumGX = sumG
        let writeDx = x.requiresGrad
        sumG.withUnsafeMutableBufferPointer { sgb in sumGX.withUnsafeMutableBufferPointer { sxb in
            mean.withUnsafeBufferPointer { mb in rstd.withUnsafeBufferPointer { rb in
                let sg = sgb.baseAddress!, sx = sxb.baseAddress!, mp = mb.baseAddress!, rp = rb.baseAddress!
                parallelChunks(batch * groups, minimumPerThread: grain) { range in
                    for bg in range {
                        let a = xp + bg * groupSize
                        let mu = mp[bg], r = rp[bg], c0 = (bg % groups) * perGroup, b = bg / groups
                        let d = dx.map { $0.storage.pointer + bg * groupSize }
                        var gr = UnsafePointer(gp + bg * groupSize)
                        if silu, let d {
                            for c in 0..<perGroup {
                                let scaleC = wp[c0 + c] * r, shiftC = bp[c0 + c] - mu * scaleC
                                siluPullbackThroughAffineRow(a + c * spatial, gr + c * spatial, d + c * spatial, spatial, scale: scaleC, shift: shiftC)
                            }
                            gr = UnsafePointer(d)
                        }
                        var groupDxhat: Float = 0, groupDxhatXhat: Float = 0
                        for c in 0..<perGroup {
                            let (s1, deviationSum) = gradientSums(gr + c * spatial, a + c * spatial, spatial, mean: mu)
                            let s2 = deviationSum * r
                            sg[b * channels + c0 + c] = s1; sx[b * channels + c0 + c] = s2
                            groupDxhat += s1 * wp[c0 + c]; groupDxhatXhat += s2 * wp[c0 + c]
                        }
                        guard writeDx, let d else { continue }
                        let m1 = groupDxhat / Float(groupSize), m2 = groupDxhatXhat / Float(groupSize)
                        for c in 0..<perGroup {
                            // r·(g·w − m1 − (x − μ)·r·m2) = g·(r·w) + (x − μ)·(−r²·m2) − r·m1
                            groupNormPullbackRow(a + c * spatial, gr + c * spatial, d + c * spatial, spatial, mean: mu,
                                                 gScale: r * wp[c0 + c], deviationScale: -r * r * m2, offset: -r * m1)
                        }
                    }
                }
            } }
        } }
        var dw: Tensor? = nil, db: Tensor? = nil
        if weight.requiresGrad { dw = Tensor(shape: [batch, channels], scalars: sumGX).summed(toShape: [1, channels]).reshaped([channels]) }
        if bias.requiresGrad { db = Tensor(shape: [batch, channels], scalars: sumG).summed(toShape: [1, channels]).reshaped([channels]) }
        return [writeDx ? dx : nil, dw, db]
    }
}

// The per-channel loops, out of line so the vector math inlines into them (see `vectorMap`).

/// x·scale + shift, lane-wise.
struct ScaleShift: LaneFunction {
    let scale: FloatVector, shift: FloatVector
    init(_ scale: Float, _ shift: Float) { self.scale = FloatVector(repeating: scale); self.shift = FloatVector(repeating: shift) }
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { multiplyAdd(x, scale, shift) }
}

/// y = x·scale + shift over one channel's n positions.
@inline(never)
func scaleShiftRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float) {
    vectorMap(x, y, 0..<n, ScaleShift(scale, shift))
}

/// y = SiLU(x·scale + shift) over one channel's n positions.
@inline(never)
func scaleShiftSiLURow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float) {
    struct ScaleShiftSiLU: LaneFunction {
        let affine: ScaleShift
        @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { let z = affine(x); return z * vectorSigmoid(z) }
    }
    vectorMap(x, y, 0..<n, ScaleShiftSiLU(affine: ScaleShift(scale, shift)))
}

/// dz = g·σ(z)·(1 + z·(1 − σ(z))) with z = x·scale + shift recomputed, over one channel.
@inline(never)
func siluPullbackThroughAffineRow(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>, _ n: Int,
                                  scale: Float, shift: Float) {
    struct Pullback: LaneFunction2 {
        let affine: ScaleShift
        @inline(__always) func callAsFunction(_ x: FloatVector, _ g: FloatVector) -> FloatVector {
            let z = affine(x), s = vectorSigmoid(z)
            return g * s * multiplyAdd(z, 1 - s, FloatVector(repeating: 1))
        }
    }
    vectorMap(x, g, dz, 0..<n, Pullback(affine: ScaleShift(scale, shift)))
}

/// (Σ g, Σ g·(x − mean)) over one channel, sixteen lanes at a time (a scalar float reduction
/// never vectorises: it would need reassociation).
@inline(never)
func gradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> (Float, Float) {
    var sumG = FloatVector(), sumGD = FloatVector(), i = 0
    let meanV = FloatVector(repeating: mean)
    while i + 16 <= n {
        let gv = loadVector(g, i)
        sumG += gv; sumGD = multiplyAdd(gv, loadVector(x, i) - meanV, sumGD); i += 16
    }
    if i < n {
        // x padded with the mean: the padded lanes' x − mean is zero (and g's is zero anyway).
        let gv = loadPartialVector(g, i, count: n - i, padding: 0)
        sumG += gv; sumGD = multiplyAdd(gv, loadPartialVector(x, i, count: n - i, padding: mean) - meanV, sumGD)
    }
    return (horizontalSum(sumG), horizontalSum(sumGD))
}

/// dx = g·gScale + (x − mean)·deviationScale + offset over one channel; x − mean is formed
/// first, as x̂ is in the forward pass, so a large mean cancels no digits.
@inline(never)
func groupNormPullbackRow(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int,
                          mean: Float, gScale: Float, deviationScale: Float, offset: Float) {
    struct Pullback: LaneFunction2 {
        let mean: FloatVector, gScale: FloatVector, deviationScale: FloatVector, offset: FloatVector
        @inline(__always) func callAsFunction(_ x: FloatVector, _ g: FloatVector) -> FloatVector {
            multiplyAdd(g, gScale, multiplyAdd(x - mean, deviationScale, offset))
        }
    }
    vectorMap(x, g, dx, 0..<n, Pullback(mean: FloatVector(repeating: mean), gScale: FloatVector(repeating: gScale),
                                        deviationScale: FloatVector(repeating: deviationScale), offset: FloatVector(repeating: offset)))
}
