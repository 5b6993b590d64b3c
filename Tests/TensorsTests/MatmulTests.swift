import Testing
@testable import Tensors

/// Plain triple loop in Double: out[i][j] = Σ_k opA[i][k] · opB[k][j].
func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Float] {
    var out = [Float](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
            let x = transA ? a[p * m + i] : a[i * k + p]
            let y = transB ? b[j * k + p] : b[p * n + j]
            s += Double(x) * Double(y)
        }
        out[i * n + j] = Float(s)
    } }
    return out
}

@Suite struct MatmulTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesLoopsAndGradients(transA: Bool, transB: Bool) {
        let (m, n, k) = (5, 3, 4)
        let a = randomTensor(transA ? [k, m] : [m, k], seed: 1), b = randomTensor(transB ? [n, k] : [k, n], seed: 2)
        let out = matmul(a, b, transposeA: transA, transposeB: transB)
        #expect(out.shape == [m, n])
        #expect(maxAbsDifference(out.scalars, naiveMatmul(a.scalars, b.scalars, m: m, n: n, k: k, transA: transA, transB: transB)) < 1e-5)
        let check = GradientCheck.run([a, b]) { matmul($0[0], $0[1], transposeA: transA, transposeB: transB) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test func batchedMatmulGradients() {
        let a = randomTensor([3, 4, 5], seed: 3), b = randomTensor([3, 6, 5], seed: 4)
        let out = batchedMatmul(a, b, transposeB: true)
        #expect(out.shape == [3, 4, 6])
        let second = naiveMatmul(Array(a.scalars[20..<40]), Array(b.scalars[30..<60]), m: 4, n: 6, k: 5, transA: false, transB: true)
        #expect(maxAbsDifference(Array(out.scalars[24..<48]), second) < 1e-5)
        let check = GradientCheck.run([a, b]) { batchedMatmul($0[0], $0[1], transposeB: true) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test func linearMatchesMatmulPlusBiasAndGradients() {
        let x = randomTensor([2, 3, 6], seed: 5), w = randomTensor([4, 6], seed: 6), b = randomTensor([4], seed: 7)
        let out = linear(x, weight: w, bias: b)
        #expect(out.shape == [2, 3, 4])
        var expected = naiveMatmul(x.scalars, w.scalars, m: 6, n: 4, k: 6, transA: false, transB: true)
        for i in 0..<expected.count { expected[i] += b.scalars[i % 4] }
        #expect(maxAbsDifference(out.scalars, expected) < 1e-5)
        let check = GradientCheck.run([x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
        let noBias = GradientCheck.run([x, w]) { linear($0[0], weight: $0[1], bias: nil) }
        #expect(noBias.maxError < gradientTolerance, "\(noBias.worst)")
    }
}
