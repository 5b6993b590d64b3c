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
