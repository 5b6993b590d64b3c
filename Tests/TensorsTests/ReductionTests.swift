import Testing
@testable import Tensors

@Suite struct ReductionTests {
    @Test func sumOverMiddleAxisMatchesLoops() {
        let x = randomTensor([2, 3, 4], seed: 1)
        let s = x.sum(axes: [1])
        #expect(s.shape == [2, 4])
        let v = x.scalars
        for i in 0..<2 { for k in 0..<4 {
            let e = (0..<3).reduce(Float(0)) { $0 + v[(i * 3 + $1) * 4 + k] }
            #expect(abs(s.scalars[i * 4 + k] - e) < 1e-6)
        } }
        #expect(x.sum(axes: [1], keepDims: true).shape == [2, 1, 4])
        #expect(abs(x.sum().item - v.reduce(0, +)) < 1e-5)
        var middle: Float = 0
        for i in 0..<2 { for k in 0..<4 { middle += v[(i * 3 + 1) * 4 + k] } }
        #expect(abs(x.mean(axes: [0, 2]).scalars[1] - middle / 8) < 1e-6)
    }

    @Test(arguments: [[0], [1], [2], [0, 2], [], [-1]])
    func sumAndMeanGradients(axes: [Int]) {
        let x = randomTensor([2, 3, 4], seed: 2)
        let s = GradientCheck.run([x]) { $0[0].sum(axes: axes) }
        #expect(s.maxError < gradientTolerance, "\(s.worst)")
        let m = GradientCheck.run([x]) { $0[0].mean(axes: axes, keepDims: true) }
        #expect(m.maxError < gradientTolerance, "\(m.worst)")
    }

    @Test func broadcastedGradient() {
        let check = GradientCheck.run([randomTensor([3, 1, 2], seed: 3)]) { $0[0].broadcasted(to: [4, 3, 5, 2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}
