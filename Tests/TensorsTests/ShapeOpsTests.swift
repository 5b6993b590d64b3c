import Testing
@testable import Tensors

@Suite struct ShapeOpsTests {
    @Test func permuteMatchesIndexMath() {
        let x = randomTensor([2, 3, 4, 5], seed: 1)
        let y = x.permuted([0, 2, 3, 1])
        #expect(y.shape == [2, 4, 5, 3])
        let xv = x.scalars, yv = y.scalars
        for n in 0..<2 { for c in 0..<3 { for h in 0..<4 { for w in 0..<5 {
            #expect(yv[((n * 4 + h) * 5 + w) * 3 + c] == xv[((n * 3 + c) * 4 + h) * 5 + w])
        } } } }
        let check = GradientCheck.run([x]) { $0[0].permuted([3, 1, 0, 2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
        #expect(x.transposed(1, 2).shape == [2, 4, 3, 5])
    }

    @Test func reshapeSharesValuesAndInfersDimension() {
        let x = randomTensor([2, 6], seed: 2)
        let y = x.reshaped([3, -1])
        #expect(y.shape == [3, 4])
        #expect(y.scalars == x.scalars)
        let check = GradientCheck.run([x]) { $0[0].reshaped([4, 3]) * $0[0].reshaped([4, 3]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test func concatAndSplitAreInverse() {
        let a = randomTensor([2, 3, 2], seed: 3), b = randomTensor([2, 1, 2], seed: 4)
        let c = concat([a, b], axis: 1)
        #expect(c.shape == [2, 4, 2])
        #expect(Array(c.scalars[6..<8]) == Array(b.scalars[0..<2]))
        #expect(Array(c.scalars[8..<14]) == Array(a.scalars[6..<12]))
        let parts = c.split([3, 1], axis: 1)
        #expect(parts[0].scalars == a.scalars && parts[1].scalars == b.scalars)
        let check = GradientCheck.run([a, b]) { concat([$0[0], $0[1], $0[0]], axis: 1) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
        let chunks = GradientCheck.run([randomTensor([3, 8], seed: 5)]) { xs in
            let p = xs[0].chunk(2, axis: 1)
            return p[0] * p[1]
        }
        #expect(chunks.maxError < gradientTolerance, "\(chunks.worst)")
    }
}
