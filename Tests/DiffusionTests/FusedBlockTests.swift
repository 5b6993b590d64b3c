import Diffusion
import NN
import Testing
import Tensors

/// ResBlock and SpatialTransformer take fused paths when nothing records their activations; the
/// recorded paths are the op-by-op reference (the one the PyTorch fixtures check).
@Suite struct FusedBlockTests {
    let ignore = ActivationRecorder { _, _ in }

    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test(arguments: [(6, 6), (4, 8)])
    func resBlockFusedMatchesRecorded(channels: (Int, Int)) {
        var rng = RandomGenerator(seed: 3)
        let block = ResBlock(inChannels: channels.0, outChannels: channels.1, embeddingDimension: 5, normGroups: 2, rng: &rng)
        let x = Tensor.normal([3, channels.0, 5, 3], using: &rng), e = Tensor.normal([3, 5], using: &rng)
        let fused = GradMode.disabled { block(x, e) }
        #expect(maxDifference(fused, block(x, e, record: ignore)) < 1e-4)
    }

    @Test func spatialTransformerFusedMatchesRecorded() {
        var rng = RandomGenerator(seed: 4)
        let block = SpatialTransformer(channels: 8, contextDimension: 6, heads: 2, normGroups: 4, rng: &rng)
        let x = Tensor.normal([3, 8, 3, 5], using: &rng), context = Tensor.normal([3, 4, 6], using: &rng)
        let mask = [true, true, false, true, true, false, false, true, true, true, true, false]
        let fused = GradMode.disabled { block(x, context: context, mask: mask) }
        #expect(maxDifference(fused, block(x, context: context, mask: mask, record: ignore)) < 1e-4)
    }

    /// Training goes through the fused paths too: their parameter gradients match the recorded path's.
    @Test func spatialTransformerFusedGradientsMatchRecorded() {
        var rng = RandomGenerator(seed: 5)
        let block = SpatialTransformer(channels: 8, contextDimension: 6, heads: 2, normGroups: 4, rng: &rng)
        let x = Tensor.normal([2, 8, 3, 3], using: &rng), context = Tensor.normal([2, 3, 6], using: &rng)
        let mask = [true, false, true, true, true, false]
        let seed = Tensor.normal([2, 8, 3, 3], using: &rng)
        func gradients(_ record: ActivationRecorder?) -> [[Float]] {
            for p in block.parameters { p.grad = nil }
            block(x, context: context, mask: mask, record: record).backward(seed)
            return block.parameters.map { $0.grad?.scalars ?? [] }
        }
        let fused = gradients(nil), recorded = gradients(ignore)
        #expect(fused.allSatisfy { !$0.isEmpty })
        for (a, b) in zip(fused, recorded) {
            #expect(a.count == b.count)
            #expect(zip(a, b).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) } < 1e-3)
        }
    }
}
