import Testing
import Tensors
@testable import NN

@Suite struct InitializationTests {
    @Test func kaimingNormalLinearHasHeStdAndZeroBias() {
        var rng = RandomGenerator(seed: 11)
        let layer = Linear(200, 300, initialization: .kaimingNormal, rng: &rng)
        let w = layer.weight.scalars
        let mean = w.reduce(0, +) / Float(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot()
        // 60,000 draws: the sample std is within 1% of √(2/200) = 0.1; PyTorch's default would give 1/√(3·200) ≈ 0.041.
        #expect(abs(std - 0.1) < 0.002 && abs(mean) < 0.002)
        #expect(layer.bias!.scalars.allSatisfy { $0 == 0 } && layer.bias!.requiresGrad && layer.weight.requiresGrad)
    }

    @Test func defaultLinearIsPyTorchUniform() {
        var rng = RandomGenerator(seed: 12)
        let layer = Linear(100, 50, rng: &rng)
        let bound = Float(0.1)
        #expect(layer.weight.scalars.allSatisfy { abs($0) <= bound } && layer.bias!.scalars.allSatisfy { abs($0) <= bound })
        #expect(layer.bias!.scalars.contains { $0 != 0 })
    }
}
