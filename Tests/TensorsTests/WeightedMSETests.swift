import Foundation
import Testing
@testable import Tensors

@Suite struct WeightedMSETests {
    @Test func valueIsTheWeightedMeanOfPerExampleMeans() {
        let p = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), t = Tensor(shape: [2, 2], scalars: [0, 0, 1, 1])
        // example 0: (1 + 4)/2 = 2.5, example 1: (4 + 9)/2 = 6.5 → (0.5·2.5 + 2·6.5)/2 = 7.125
        #expect(weightedMSELoss(p, t, exampleWeights: [0.5, 2]).item == 7.125)
        // unit weights reduce to the plain MSE
        #expect(abs(weightedMSELoss(p, t, exampleWeights: [1, 1]).item - mseLoss(p, t).item) < 1e-6)
    }

    @Test func gradients() {
        let check = GradientCheck.run([randomTensor([3, 2, 4], seed: 5), randomTensor([3, 2, 4], seed: 6)]) {
            weightedMSELoss($0[0], $0[1], exampleWeights: [0.25, 1, 3])
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}

@Suite struct ExponentialTests {
    @Test func valuesAndGradient() {
        let x = randomTensor([7], seed: 11)
        #expect(maxAbsDifference(exponential(x).scalars, x.scalars.map { Float(Foundation.exp(Double($0))) }) < 2e-5)
        let check = GradientCheck.run([x], epsilon: 1e-3) { exponential($0[0]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}
