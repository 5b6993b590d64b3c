import Testing
@testable import Tensors

@Suite struct AutodiffTests {
    @Test func reusedTensorAccumulatesGradient() {
        let x = Tensor(shape: [2], scalars: [3, -2], requiresGrad: true)
        // y = Σ (x·x + 3x) → dy/dx = 2x + 3
        let y = (x * x + x * 3).sum()
        y.backward()
        #expect(x.grad?.scalars == [9, -1])
        // A second backward accumulates into the leaf, as in PyTorch.
        (x * 2).sum().backward()
        #expect(x.grad?.scalars == [11, 1])
    }

    @Test func noGradModeRecordsNothing() {
        let w = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = GradMode.disabled { w * 2 }
        #expect(!y.requiresGrad && y.node == nil)
        let z = w * 2
        #expect(z.requiresGrad && z.node != nil)
    }

    @Test func graphIsReleasedAfterBackward() {
        let w = Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let h = w * w
        let loss = h.sum()
        loss.backward()
        #expect(h.node === GradNode.released && loss.node === GradNode.released)
        #expect(h.node?.inputs.isEmpty == true)
    }

    @Test func generatorIsDeterministicAndWellSpread() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let xs = (0..<4).map { _ in a.next() }
        #expect(xs == (0..<4).map { _ in b.next() })
        #expect(xs != (0..<4).map { _ in c.next() })
        var rng = RandomGenerator(seed: 1)
        let n = Tensor.normal([20_000], using: &rng).scalars
        let mean = n.reduce(0, +) / Float(n.count)
        let variance = n.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(n.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }

    @Test func gradientCheckCatchesAWrongPullback() {
        // A deliberately wrong op: forward 2x, pullback claims 3·g. The checker must flag it.
        func wrongDouble(_ x: Tensor) -> Tensor {
            let out = scale(GradMode.disabled { x.copy() }, 2)
            return out.recording([x]) { g in [scale(g, 3)] }
        }
        let check = GradientCheck.run([randomTensor([4], seed: 9)]) { wrongDouble($0[0]) }
        #expect(check.maxError > 0.1)
    }
}
