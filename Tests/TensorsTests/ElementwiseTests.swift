import Testing
@testable import Tensors

@Suite struct ElementwiseTests {
    @Test func broadcastAddMatchesLoops() {
        let a = randomTensor([2, 3, 4, 5], seed: 1), b = randomTensor([1, 3, 1, 1], seed: 2)
        let out = (a + b).scalars, av = a.scalars, bv = b.scalars
        var expected: [Float] = []
        for n in 0..<2 { for c in 0..<3 { for h in 0..<4 { for w in 0..<5 {
            expected.append(av[((n * 3 + c) * 4 + h) * 5 + w] + bv[c])
        } } } }
        #expect(maxAbsDifference(out, expected) == 0)
    }

    @Test func broadcastBothWaysMatchesLoops() {
        let a = randomTensor([3, 1], seed: 3), b = randomTensor([1, 4], seed: 4)
        let out = (a * b).scalars
        #expect(out.count == 12)
        for i in 0..<3 { for j in 0..<4 { #expect(out[i * 4 + j] == a.scalars[i] * b.scalars[j]) } }
        #expect(maxAbsDifference((a - b).scalars, (0..<12).map { a.scalars[$0 / 4] - b.scalars[$0 % 4] }) == 0)
        #expect(maxAbsDifference((a / b).scalars, (0..<12).map { a.scalars[$0 / 4] / b.scalars[$0 % 4] }) < 1e-6)
    }

    @Test(arguments: [([2, 3, 4], [3, 4]), ([2, 3, 4], [2, 1, 4]), ([2, 3], [2, 3]), ([4, 3], [])])
    func gradientsOfAllFourOperators(shapeA: [Int], shapeB: [Int]) {
        let a = randomTensor(shapeA, seed: 5)
        let b = affine(randomTensor(shapeB, seed: 6), scale: 0.2, shift: 1.5)   // away from 0 for division
        for op in [add, sub, mul, div] {
            let check = GradientCheck.run([a, b]) { op($0[0], $0[1]) }
            #expect(check.maxError < gradientTolerance, "\(check.worst)")
        }
    }

    @Test func affineGradient() {
        let check = GradientCheck.run([randomTensor([5, 7], seed: 8)]) { affine($0[0], scale: -2.5, shift: 3) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}
