import Testing
@testable import Tensors

@Suite struct GradientScalingTests {
    /// Forward is the identity (bit for bit); the gradient that reaches the input is `factor` times
    /// the one without the op.
    @Test func scalesOnlyTheGradient() {
        let x = randomTensor([3, 4], seed: 7)
        x.requiresGrad = true
        let y = scalingGradient(x, by: 3)
        #expect(y.shape == x.shape && y.scalars == x.scalars)
        (y * y).sum().backward()
        let scaled = x.grad!.scalars
        x.grad = nil
        (x * x).sum().backward()
        #expect(scaled == x.grad!.scalars.map { $0 * 3 })
    }
}
