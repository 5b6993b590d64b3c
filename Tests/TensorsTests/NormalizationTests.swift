import Testing
@testable import Tensors

/// Group norm in Double: statistics per (b, g) over the group's channels and positions.
func naiveGroupNorm(_ x: Tensor, groups: Int, _ w: Tensor, _ b: Tensor, eps: Double = 1e-5) -> [Float] {
    let (batch, c) = (x.shape[0], x.shape[1]), s = x.count / (batch * c), cg = c / groups
    let xv = x.scalars.map(Double.init)
    var out = [Float](repeating: 0, count: x.count)
    for n in 0..<batch { for g in 0..<groups {
        let idx = (0..<cg).flatMap { ch in (0..<s).map { ((n * c) + g * cg + ch) * s + $0 } }
        let mean = idx.reduce(0) { $0 + xv[$1] } / Double(idx.count)
        let variance = idx.reduce(0) { $0 + (xv[$1] - mean) * (xv[$1] - mean) } / Double(idx.count)
        for i in idx {
            let ch = (i / s) % c
            out[i] = Float((xv[i] - mean) / (variance + eps).squareRoot() * Double(w.scalars[ch]) + Double(b.scalars[ch]))
        }
    } }
    return out
}

@Suite struct NormalizationTests {
    @Test(arguments: [(4, 2), (4, 4), (6, 3)])
    func groupNormMatchesDoubleReference(channels: Int, groups: Int) {
        let x = affine(randomTensor([2, channels, 3, 4], seed: 1), scale: 2, shift: 0.5)
        let w = randomTensor([channels], seed: 2), b = randomTensor([channels], seed: 3)
        let out = groupNorm(x, groups: groups, weight: w, bias: b)
        #expect(maxAbsDifference(out.scalars, naiveGroupNorm(x, groups: groups, w, b)) < 1e-5)
        let check = GradientCheck.run([x, w, b], samples: 40) { groupNorm($0[0], groups: groups, weight: $0[1], bias: $0[2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test func layerNormMatchesDoubleReferenceAndGradients() {
        let x = affine(randomTensor([3, 2, 5], seed: 4), scale: 3, shift: -1)
        let w = randomTensor([5], seed: 5), b = randomTensor([5], seed: 6)
        let out = layerNorm(x, weight: w, bias: b)
        // LayerNorm over the last dim is group norm of the [rows, 5, 1] view with one group.
        let asGroups = naiveGroupNorm(x.reshaped([6, 1, 5]), groups: 1, Tensor.ones([1]), Tensor.zeros([1]))
        let expected = asGroups.enumerated().map { $0.element * w.scalars[$0.offset % 5] + b.scalars[$0.offset % 5] }
        #expect(maxAbsDifference(out.scalars, expected) < 1e-5)
        let check = GradientCheck.run([x, w, b], samples: 40) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}

@Suite struct GroupNormSiLUTests {
    /// The fused op against the two-op composition (values and every gradient), plus finite
    /// differences: the recomputed z and the dz = g·σ(z)·(1 + z(1 − σ(z))) step are both checked.
    @Test(arguments: [([2, 6, 3, 4], 3), ([3, 4, 5], 2), ([1, 8, 2, 2], 8)])
    func fusedMatchesComposedAndGradients(shape: [Int], groups: Int) {
        let c = shape[1]
        let x = randomTensor(shape, seed: 21, std: 2), w = randomTensor([c], seed: 22), b = randomTensor([c], seed: 23)
        let fused = groupNormSiLU(x, groups: groups, weight: w, bias: b)
        let composed = silu(groupNorm(x, groups: groups, weight: w, bias: b))
        #expect(maxAbsDifference(fused.scalars, composed.scalars) < 1e-6)

        func grads(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [[Float]] {
            let (xl, wl, bl) = (x.copy(), w.copy(), b.copy())
            for t in [xl, wl, bl] { t.requiresGrad = true }
            f(xl, wl, bl).backward(randomTensor(shape, seed: 24))
            return [xl.grad!.scalars, wl.grad!.scalars, bl.grad!.scalars]
        }
        let gf = grads { groupNormSiLU($0, groups: groups, weight: $1, bias: $2) }
        let gc = grads { silu(groupNorm($0, groups: groups, weight: $1, bias: $2)) }
        for (a, e) in zip(gf, gc) { #expect(maxAbsDifference(a, e) < 1e-5) }

        let check = GradientCheck.run([x, w, b], samples: 40) { groupNormSiLU($0[0], groups: groups, weight: $0[1], bias: $0[2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test func affineGradientsWithoutInputGradient() {
        let x = randomTensor([2, 4, 3], seed: 25), w = randomTensor([4], seed: 26), b = randomTensor([4], seed: 27)
        w.requiresGrad = true; b.requiresGrad = true
        groupNormSiLU(x, groups: 2, weight: w, bias: b).backward(Tensor.ones([2, 4, 3]))
        let (w2, b2) = (w.copy(), b.copy()); w2.requiresGrad = true; b2.requiresGrad = true
        silu(groupNorm(x, groups: 2, weight: w2, bias: b2)).backward(Tensor.ones([2, 4, 3]))
        #expect(maxAbsDifference(w.grad!.scalars, w2.grad!.scalars) < 1e-5)
        #expect(maxAbsDifference(b.grad!.scalars, b2.grad!.scalars) < 1e-5)
        #expect(x.grad == nil)
    }
}
