import Foundation
import Testing
@testable import Tensors

@Suite struct LossTests {
    @Test func mseIsMeanSquaredDifference() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([3, 4], seed: 2)
        let expected = zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / 12
        #expect(abs(Double(mseLoss(a, b).item) - expected) < 1e-6)
        let check = GradientCheck.run([a, b]) { mseLoss($0[0], $0[1]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test func crossEntropyMatchesLogSoftmax() {
        let logits = randomTensor([4, 5], seed: 3, std: 2), labels = [0, 4, 2, 2]
        let lv = logits.scalars.map(Double.init)
        var expected = 0.0
        for r in 0..<4 {
            let z = (0..<5).reduce(0.0) { $0 + exp(lv[r * 5 + $1]) }
            expected -= lv[r * 5 + labels[r]] - log(z)
        }
        #expect(abs(Double(crossEntropy(logits: logits, labels: labels).item) - expected / 4) < 1e-5)
        let check = GradientCheck.run([logits]) { crossEntropy(logits: $0[0], labels: labels) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test func l2NormalizeGivesUnitRows() {
        let x = randomTensor([3, 6], seed: 4)
        let y = l2Normalize(x).scalars
        for r in 0..<3 { #expect(abs((0..<6).reduce(Float(0)) { $0 + y[r * 6 + $1] * y[r * 6 + $1] } - 1) < 1e-5) }
        let check = GradientCheck.run([x]) { l2Normalize($0[0]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}
