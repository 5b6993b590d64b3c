import Foundation
import Testing
@testable import Tensors

/// Reference attention in Double with explicit head split: out[b, i, h·dh + d].
func naiveAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, mask: [Bool]?) -> [Float] {
    let (batch, nq, c) = (q.shape[0], q.shape[1], q.shape[2]), nk = k.shape[1], dh = c / heads
    let qv = q.scalars, kv = k.scalars, vv = v.scalars
    var out = [Float](repeating: 0, count: q.count)
    for b in 0..<batch { for h in 0..<heads { for i in 0..<nq {
        var scores = [Double](repeating: -.infinity, count: nk)
        for j in 0..<nk where mask?[b * nk + j] ?? true {
            var s = 0.0
            for d in 0..<dh { s += Double(qv[(b * nq + i) * c + h * dh + d]) * Double(kv[(b * nk + j) * c + h * dh + d]) }
            scores[j] = s / Double(dh).squareRoot()
        }
        let m = scores.max()!
        guard m > -.infinity else { continue }
        let e = scores.map { exp($0 - m) }, z = e.reduce(0, +)
        for d in 0..<dh {
            var acc = 0.0
            for j in 0..<nk { acc += e[j] / z * Double(vv[(b * nk + j) * c + h * dh + d]) }
            out[(b * nq + i) * c + h * dh + d] = Float(acc)
        }
    } } }
    return out
}

@Suite struct SoftmaxAttentionTests {
    @Test func softmaxRowsSumToOneAndGradient() {
        let x = randomTensor([3, 5], seed: 1, std: 3)
        let y = softmax(x).scalars, xv = x.scalars.map(Double.init)
        for r in 0..<3 {
            let z = (0..<5).reduce(0.0) { $0 + exp(xv[r * 5 + $1]) }
            for j in 0..<5 { #expect(abs(Double(y[r * 5 + j]) - exp(xv[r * 5 + j]) / z) < 1e-6) }
        }
        let check = GradientCheck.run([x]) { softmax($0[0]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    // (batch, nq, nk, channels, heads, masked)
    @Test(arguments: [(2, 5, 5, 8, 2, false), (2, 4, 3, 6, 3, true), (1, 3, 6, 4, 1, true)])
    func attentionMatchesReferenceAndGradients(c: (Int, Int, Int, Int, Int, Bool)) {
        let q = randomTensor([c.0, c.1, c.3], seed: 2), k = randomTensor([c.0, c.2, c.3], seed: 3), v = randomTensor([c.0, c.2, c.3], seed: 4)
        // Mask out the last key of every image and the first key of image 0.
        let mask: [Bool]? = c.5 ? (0..<(c.0 * c.2)).map { $0 % c.2 != c.2 - 1 && $0 != 0 } : nil
        let out = scaledDotProductAttention(query: q, key: k, value: v, heads: c.4, keyMask: mask)
        #expect(maxAbsDifference(out.scalars, naiveAttention(q, k, v, heads: c.4, mask: mask)) < 1e-5)
        let check = GradientCheck.run([q, k, v], samples: 40) {
            scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], heads: c.4, keyMask: mask)
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// Inference reuses one probability block per worker across many (image, head) pairs; it must
    /// give exactly what the recording path (which saves every block) gives, and match the loops.
    @Test func inferencePathMatchesRecordingPath() {
        let q = randomTensor([5, 7, 12], seed: 8), k = randomTensor([5, 6, 12], seed: 9), v = randomTensor([5, 6, 12], seed: 10)
        let mask = (0..<30).map { $0 % 6 != 2 }
        let inference = GradMode.disabled { scaledDotProductAttention(query: q, key: k, value: v, heads: 4, keyMask: mask) }
        let qg = q.copy(); qg.requiresGrad = true
        let recorded = scaledDotProductAttention(query: qg, key: k, value: v, heads: 4, keyMask: mask)
        #expect(inference.scalars == recorded.scalars)
        #expect(maxAbsDifference(inference.scalars, naiveAttention(q, k, v, heads: 4, mask: mask)) < 1e-5)
    }

    @Test func maskedKeysDoNotInfluenceOutput() {
        let q = randomTensor([1, 2, 4], seed: 5), k = randomTensor([1, 3, 4], seed: 6), v = randomTensor([1, 3, 4], seed: 7)
        let mask = [true, true, false]
        let a = scaledDotProductAttention(query: q, key: k, value: v, heads: 2, keyMask: mask)
        var kv = k.scalars, vv = v.scalars
        for i in 8..<12 { kv[i] = 100; vv[i] = -50 }
        let b = scaledDotProductAttention(query: q, key: Tensor(shape: k.shape, scalars: kv), value: Tensor(shape: v.shape, scalars: vv), heads: 2, keyMask: mask)
        #expect(a.scalars == b.scalars)
        let none = scaledDotProductAttention(query: q, key: k, value: v, heads: 2, keyMask: [false, false, false])
        #expect(none.scalars.allSatisfy { $0 == 0 })
    }
}
