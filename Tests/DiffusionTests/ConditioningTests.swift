import Foundation
import GraphEncoder
import NN
import Testing
import Tensors
@testable import Diffusion

@Suite struct ConditioningTests {
    @Test func nullGraphIsZeroTokensWithOnlyTheGlobalSlotUnmasked() throws {
        let f = try ReferenceFixture()
        let null = try f.model().nullContext(batch: 2)
        #expect(null.tokens.shape == [2, 16, 64])
        #expect(null.tokens.scalars.allSatisfy { $0 == 0 })
        #expect(null.global.shape == [2, 64] && null.global.scalars.allSatisfy { $0 == 0 })
        #expect(null.mask == (0..<32).map { $0 % 16 == 15 })
    }

    @Test func contextIsProjectedLocalTokensThenGlobalToken() throws {
        let f = try ReferenceFixture()
        let model = try f.model()
        let c = GradMode.disabled { model.context(f.graphs) }
        #expect(c.tokens.shape == [3, 16, 64])
        // Image b has 2 + b % 3 objects: (n − 1) chain relations + n __in_image__ triples real.
        for b in 0..<3 {
            let n = 2 + b % 3, real = (n - 1) + n
            #expect(Array(c.mask[(b * 16)..<(b * 16 + 16)]) == (0..<16).map { $0 < real || $0 == 15 })
        }
        let local = try f.reference("act.context_local").scalars, global = try f.reference("act.context_global").scalars
        let tokens = c.tokens.scalars
        #expect(errorRelativeToLargest(Array(tokens[0..<(15 * 64)]), Array(local[0..<(15 * 64)])) < 1e-4)
        #expect(errorRelativeToLargest(Array(tokens[(15 * 64)..<(16 * 64)]), Array(global[0..<64])) < 1e-4)
    }

    @Test func paddedTokensChangeNothing() throws {
        let f = try ReferenceFixture()
        let model = try f.model()
        let c = GradMode.disabled { model.context(f.graphs) }
        let before = GradMode.disabled {
            model.unet(f.x, timesteps: f.timesteps, context: c.tokens, mask: c.mask, global: c.global)
        }
        // Overwrite every masked (padding) token with large values.
        var values = c.tokens.scalars
        for (slot, real) in c.mask.enumerated() where !real { for j in 0..<64 { values[slot * 64 + j] = 1000 * Float(j % 7 - 3) } }
        let noisy = Tensor(shape: c.tokens.shape, scalars: values)
        let after = GradMode.disabled {
            model.unet(f.x, timesteps: f.timesteps, context: noisy, mask: c.mask, global: c.global)
        }
        #expect(before.scalars == after.scalars)
        // …while the same change without the mask does change the output (the test can fail).
        let unmasked = GradMode.disabled {
            model.unet(f.x, timesteps: f.timesteps, context: noisy, mask: [Bool](repeating: true, count: c.mask.count), global: c.global)
        }
        #expect(unmasked.scalars != before.scalars)
    }

    @Test func configurationFileDefaultsAndErrors() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("configs/shapes32.yaml")
        // The shipped recipe is the reference's default model plus fixed attention positions.
        var recipe = ModelConfiguration.shapes32
        recipe.unet.attentionPositions = true
        #expect(try ModelConfiguration.load(yamlFile: url) == recipe)
        do {
            _ = try ModelConfiguration.parse(yaml: "model:\n  channels: 32\n  heads: four\n", source: "x.yaml")
            Issue.record("expected an error")
        } catch let e as ConfigurationError {
            #expect(e.description == "x.yaml:3: model.heads: expected an integer, found \"four\"")
        }
        #expect(throws: ConfigurationError.self) { try ModelConfiguration.parse(yaml: "model:\n  mult: 2\n", source: "x.yaml") }
        #expect(throws: ConfigurationError.self) { try ModelConfiguration.parse(yaml: "model:\n  chanels: 32\n", source: "x.yaml") }
        #expect(throws: ConfigurationError.self) { try ModelConfiguration.parse(yaml: "model:\n  channels: 44\n", source: "x.yaml") }
    }

    @Test func defaultModelHasTheReferenceParameterNames() {
        var rng = RandomGenerator(seed: 1)
        let names = Set(SceneGraphDiffusion(.shapes32, rng: &rng).namedParameters().map(\.0))
        for expected in ["unet.down.2.attn.1.cross_attn.k.weight", "unet.up.0.res.2.skip.weight", "unet.down.1.downsample.weight",
                         "unet.up.1.upsample.weight", "encoder.layers.4.net2.2.bias", "unet.time_mlp.2.weight"] {
            #expect(names.contains(expected), "missing \(expected)")
        }
        // The last level does not downsample and the outermost way-up level does not upsample.
        #expect(!names.contains("unet.down.2.downsample.weight"))
        #expect(!names.contains("unet.up.2.upsample.weight"))
    }
}
