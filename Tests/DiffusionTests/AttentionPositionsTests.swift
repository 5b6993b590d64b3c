import Diffusion
import Foundation
import NN
import Testing
import Tensors

/// `model.attn_positions: sincos`: fixed 2-D positions on the SpatialTransformers' tokens, so a
/// block can tell where a pixel is without learning it from the convolutions' zero padding.
@Suite struct AttentionPositionsTests {
    let ignore = ActivationRecorder { _, _ in }

    func block(positions: Bool) -> SpatialTransformer {
        var rng = RandomGenerator(seed: 11)
        return SpatialTransformer(channels: 8, contextDimension: 6, heads: 2, normGroups: 4, positions: positions, rng: &rng)
    }

    /// A spatially constant input gives a constant output without positions (1×1 convolutions and
    /// attention cannot tell pixels apart) and a varying one with them.
    @Test func positionsMakeTheBlockSeeWhereAPixelIs() {
        var rng = RandomGenerator(seed: 12)
        let channelValues = Tensor.normal([1, 8, 1, 1], using: &rng).scalars
        let x = Tensor(shape: [1, 8, 4, 4], scalars: channelValues.flatMap { Array(repeating: $0, count: 16) })
        let context = Tensor.normal([1, 3, 6], using: &rng), mask = [true, true, true]
        func spread(_ y: Tensor) -> Float {
            (0..<8).map { c in
                let plane = y.scalars[(c * 16)..<(c * 16 + 16)]
                return plane.max()! - plane.min()!
            }.max()!
        }
        let plain = GradMode.disabled { block(positions: false)(x, context: context, mask: mask) }
        let placed = GradMode.disabled { block(positions: true)(x, context: context, mask: mask) }
        #expect(spread(plain) < 1e-5)
        #expect(spread(placed) > 1e-2)
    }

    /// Same weights, positions on: the fused and the recorded paths agree, and the input gradient
    /// passes the finite-difference check.
    @Test func fusedAndRecordedPathsAgreeAndGradientsCheck() {
        var rng = RandomGenerator(seed: 13)
        let b = block(positions: true)
        let x = Tensor.normal([2, 8, 3, 5], using: &rng), context = Tensor.normal([2, 3, 6], using: &rng)
        let mask = [true, false, true, true, true, false]
        let fused = GradMode.disabled { b(x, context: context, mask: mask) }
        let recorded = GradMode.disabled { b(x, context: context, mask: mask, record: ignore) }
        #expect(zip(fused.scalars, recorded.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) } < 1e-4)
        let check = GradientCheck.run([x, context], samples: 30) { b($0[0], context: $0[1], mask: mask) }
        #expect(check.maxError < 2e-3, "\(check.worst)")
    }

    /// The table: row in the first half of the channels, column in the second, per token.
    @Test func tableIsRowThenColumn() {
        let p = sineCosinePositions(rows: 2, columns: 3, width: 4)
        // width 4: quarter 1, ω = 1; token 5 is row 1, column 2.
        #expect(Array(p[20..<24]) == [Float(Foundation.sin(1.0)), Float(Foundation.cos(1.0)), Float(Foundation.sin(2.0)), Float(Foundation.cos(2.0))])
        #expect(Array(p[0..<4]) == [0, 1, 0, 1])
    }

    /// The key round-trips through a config and a model file's JSON, is refused with a bad value,
    /// and is absent from the written section of a model without positions.
    @Test func configKeyRoundTrips() throws {
        let on = try ModelConfiguration.parse(yaml: "model:\n  attn_positions: sincos\n", source: "t.yaml")
        #expect(on.unet.attentionPositions)
        #expect(!(try ModelConfiguration.parse(yaml: "model:\n  attn_positions: none\n", source: "t.yaml")).unet.attentionPositions)
        #expect(!ModelConfiguration.shapes32.unet.attentionPositions)
        #expect(!ModelConfiguration.shapes32.section.1.contains { $0.0 == "attn_positions" })
        #expect(on.section.1.contains { $0.0 == "attn_positions" })
        // A model file stores the section as JSON, read back by the same loader.
        #expect(try ModelConfiguration.parse(yaml: configurationJSON([on.section]), source: "metadata") == on)
        #expect(throws: ConfigurationError.self) { try ModelConfiguration.parse(yaml: "model:\n  attn_positions: learned\n", source: "t.yaml") }
    }
}
