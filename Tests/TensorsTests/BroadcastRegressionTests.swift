import Testing
@testable import Tensors

@Suite struct BroadcastRegressionTests {
    /// The ResBlock pattern: a per-(image, channel) value added over every pixel, then a conv with bias.
    @Test func perChannelBroadcastIntoConvolution() {
        let x = randomTensor([2, 3, 4, 4], seed: 1), e = randomTensor([2, 3], seed: 2)
        let w = randomTensor([3, 3, 3, 3], seed: 3, std: 0.3), b = randomTensor([3], seed: 4)
        let check = GradientCheck.run([x, e, w, b], samples: 40) { v in
            conv2d(v[0] + v[1].reshaped([2, 3, 1, 1]), weight: v[2], bias: v[3], padding: 1)
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
        let plain = GradientCheck.run([x, e]) { v in v[0] + v[1].reshaped([2, 3, 1, 1]) }
        #expect(plain.maxError < gradientTolerance, "\(plain.worst)")
    }
}
