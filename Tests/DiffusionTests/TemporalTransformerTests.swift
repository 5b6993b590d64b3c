import Foundation
import GraphEncoder
import NN
import SceneGraphs
import Testing
import Tensors
@testable import Diffusion

@Suite struct TemporalTransformerTests {
    static func configuration(frames: Int) -> ModelConfiguration {
        var c = ModelConfiguration(encoder: GraphEncoderConfiguration(objectClasses: 19, predicateClasses: 7, dimension: 8, hidden: 16, layers: 1,
                                                                      globalDimension: 16, maxTriples: 6),
                                   unet: UNetConfiguration(channels: 8, multipliers: [1, 2], residualBlocks: 1, attentionLevels: [1], heads: 2,
                                                           normGroups: 4),
                                   contextDimension: 16)
        c.unet.frames = frames
        return c
    }

    /// A small vocabulary (DiffusionTests cannot see ShapeWorld's).
    static let vocabulary: Vocabulary = {
        guard let v = try? Vocabulary(objects: [Vocabulary.imageObject, "red circle", "blue square"],
                                      predicates: [Vocabulary.inImagePredicate, "left of", "right of"]) else { preconditionFailure("vocabulary") }
        return v
    }()

    /// A clip of `f` frames: a red circle passing a blue square.
    static func frameGraphs(_ f: Int) throws -> GraphBatch {
        let graphs = (0..<f).map { i in
            SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, i < f / 2 ? "left of" : "right of", 1)])
        }
        return GraphBatch(try SceneGraphBatch(graphs, vocabulary: Self.vocabulary))
    }

    /// Makes every temporal layer do something: proj_out random instead of zero.
    static func perturbOutputProjections(_ model: SceneGraphDiffusion, seed: UInt64 = 5) {
        var rng = RandomGenerator(seed: seed)
        for (name, p) in model.namedParameters() where name.contains("temporal") && name.contains("proj_out") {
            let r = Tensor.uniform(p.shape, low: -0.5, high: 0.5, using: &rng)
            p.storage.pointer.update(from: r.storage.pointer, count: p.count)
        }
    }

    @Test func parameterNamesFollowTheReferenceScheme() {
        var rng = RandomGenerator(seed: 1)
        let names = Set(SceneGraphDiffusion(Self.configuration(frames: 4), rng: &rng).namedParameters().map(\.0))
        for name in ["unet.down.1.temporal.0.norm.weight", "unet.down.1.temporal.0.proj_in.weight", "unet.down.1.temporal.0.attn.q.weight",
                     "unet.down.1.temporal.0.ln1.bias", "unet.down.1.temporal.0.ff_in.weight", "unet.down.1.temporal.0.ff_out.bias",
                     "unet.down.1.temporal.0.proj_out.weight", "unet.mid_temporal.attn.o.bias", "unet.up.0.temporal.1.proj_out.bias"] {
            #expect(names.contains(name), "missing \(name)")
        }
        // Levels without spatial attention get no temporal layers either.
        #expect(!names.contains { $0.hasPrefix("unet.down.0.temporal") || $0.hasPrefix("unet.up.1.temporal") })
    }

    @Test func inflatedModelKeepsTheImageModelsWeightsAndAddsOnlyTemporalOnes() {
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let image = SceneGraphDiffusion(Self.configuration(frames: 0), rng: &a)
        let video = SceneGraphDiffusion(Self.configuration(frames: 8), rng: &b)
        let imageParameters = image.stateDict(), videoParameters = video.stateDict()
        #expect(videoParameters.keys.filter { !$0.contains("temporal") }.sorted() == imageParameters.keys.sorted())
        for (name, tensor) in imageParameters { #expect(videoParameters[name] == tensor, "\(name) differs") }
        #expect(ModuleAuditTestsHelper.forgotten(video).isEmpty)
    }

    /// The zero-initialised proj_out makes every temporal block an exact identity: the inflated
    /// network's ε is the image network's, for every frame, bit for bit on the same batch.
    @Test func freshlyInflatedModelComputesTheImageModelsEpsilon() throws {
        let f = 4
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let image = SceneGraphDiffusion(Self.configuration(frames: 0), rng: &a)
        let video = SceneGraphDiffusion(Self.configuration(frames: f), rng: &b)
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.normal([2 * f, 3, 16, 16], using: &rng)
        let graphs = try Self.frameGraphs(2 * f)
        let t = [Int](repeating: 500, count: f) + [Int](repeating: 20, count: f)
        let (imageEps, videoEps) = GradMode.disabled { (image(x, timesteps: t, graphs: graphs), video(x, timesteps: t, frameGraphs: graphs, frames: f)) }
        // Compared as the largest difference so a failure prints one number, not two tensors.
        #expect(zip(imageEps.scalars, videoEps.scalars).map { abs($0 - $1) }.max() == 0)
        // And to float precision against each frame drawn alone by the image model.
        for i in [0, 3, 6] {
            let alone = GradMode.disabled { image(x.slice(axis: 0, i..<(i + 1)), timesteps: [t[i]], graphs: graphs.image(i)) }
            let frame = Array(videoEps.scalars[(i * 768)..<((i + 1) * 768)])
            #expect(zip(alone.scalars, frame).map { abs($0 - $1) }.max()! < 1e-5)
        }
    }

    @Test func framesAttendWithinTheirClipOnly() throws {
        let f = 3
        var rng = RandomGenerator(seed: 4)
        let layer = TemporalTransformer(channels: 8, heads: 2, normGroups: 4, maximumFrames: f, rng: &rng)
        for p in layer.projOut.parameters {
            let r = Tensor.uniform(p.shape, low: -0.5, high: 0.5, using: &rng)
            p.storage.pointer.update(from: r.storage.pointer, count: p.count)
        }
        let x = Tensor.normal([2 * f, 8, 4, 4], using: &rng)
        var changed = x.scalars
        // Frame 0 of clip 0 only; not a constant shift, which its GroupNorm would remove.
        for j in 0..<128 { changed[j] += Float(j % 7) * 0.3 }
        let (before, after) = GradMode.disabled { (layer(x, frames: f).scalars, layer(Tensor(shape: x.shape, scalars: changed), frames: f).scalars) }
        let perFrame = 128
        func moved(_ frame: Int) -> Float { (0..<perFrame).map { abs(before[frame * perFrame + $0] - after[frame * perFrame + $0]) }.max()! }
        #expect(moved(1) > 1e-3 && moved(2) > 1e-3)               // the other frames of clip 0 see it
        #expect(moved(3) == 0 && moved(4) == 0 && moved(5) == 0)  // clip 1 does not
    }

    @Test func gradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 6)
        let layer = TemporalTransformer(channels: 8, heads: 2, normGroups: 4, maximumFrames: 4, rng: &rng)
        for p in layer.projOut.parameters {
            let r = Tensor.uniform(p.shape, low: -0.5, high: 0.5, using: &rng)
            p.storage.pointer.update(from: r.storage.pointer, count: p.count)
        }
        let x = Tensor.normal([6, 8, 2, 3], using: &rng)
        let check = GradientCheck.run([x], epsilon: 1e-2, samples: 48) { layer($0[0], frames: 3) }
        #expect(check.maxError < 2e-2, "\(check.worst)")
        // The trained parameters too: d/dθ of the same weighted sum, against central differences.
        let weights = Tensor.uniform([6, 8, 2, 3], low: -1, high: 1, using: &rng)
        func loss() -> Double { GradMode.disabled { zip(layer(x, frames: 3).scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } } }
        layer.zeroGrad()
        (layer(x, frames: 3) * weights).sum().backward()
        for (name, p) in layer.namedParameters() where ["proj_in.weight", "attn.q.weight", "ff_in.weight", "norm.weight", "proj_out.bias"].contains(name) {
            let analytic = p.grad!.scalars
            for k in stride(from: 0, to: p.count, by: max(1, p.count / 6)) {
                let original = p.storage.pointer[k]
                p.storage.pointer[k] = original + 1e-2; let up = loss()
                p.storage.pointer[k] = original - 1e-2; let down = loss()
                p.storage.pointer[k] = original
                let numeric = (up - down) / 2e-2
                #expect(abs(numeric - Double(analytic[k])) / max(1, abs(numeric)) < 2e-2, "\(name)[\(k)]: numeric \(numeric) analytic \(analytic[k])")
            }
        }
    }

    @Test func framesKeyIsReadCheckedAndWrittenBack() throws {
        let c = try ModelConfiguration.parse(yaml: "model:\n  frames: 8\n", source: "v.yaml")
        #expect(c.unet.frames == 8)
        #expect(try ModelConfiguration.parse(yaml: configurationYAML([c.section]), source: "round trip") == c)
        #expect(!ModelConfiguration.shapes32.section.values.contains { $0.0 == "frames" })
        do {
            _ = try ModelConfiguration.parse(yaml: "model:\n  frames: -1\n", source: "v.yaml")
            Issue.record("negative frames accepted")
        } catch { #expect("\(error)".contains("v.yaml: model.frames")) }
    }

    @Test func modelFileRoundTripKeepsTheTemporalLayers() throws {
        var rng = RandomGenerator(seed: 3)
        let model = SceneGraphDiffusion(Self.configuration(frames: 4), rng: &rng)
        Self.perturbOutputProjections(model)
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("video-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelFile.write(model, vocabulary: Self.vocabulary, setup: DiffusionSetup(imageSize: 8), recipe: "{}", steps: 0, to: url)
        let read = try ModelFile.read(url).model
        #expect(read.unet.maximumFrames == 4)
        #expect(read.stateDict() == model.stateDict())
    }
}

enum ModuleAuditTestsHelper {
    static func forgotten(_ model: SceneGraphDiffusion) -> [String] { ModuleAudit.forgotten(in: model, name: "model") }
}

@Suite struct TemporalLevelsTests {
    /// `temporal_levels: [0, 1]` adds a temporal layer after every residual block of level 0 too
    /// (which has no attention), with that level's channels; a fresh one still changes nothing.
    @Test func temporalLayersAtALevelWithoutAttention() throws {
        var c = TemporalTransformerTests.configuration(frames: 4)
        c.unet.temporalLevels = [0, 1]
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let video = SceneGraphDiffusion(c, rng: &a), image = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 0), rng: &b)
        let names = Dictionary(uniqueKeysWithValues: video.namedParameters().map { ($0.0, $0.1.shape) })
        // Tiny config: channels 8, mult [1, 2], one residual block a level (two on the way up).
        #expect(names["unet.down.0.temporal.0.proj_out.weight"] == [8, 8])
        #expect(names["unet.down.1.temporal.0.proj_out.weight"] == [16, 16])
        #expect(names["unet.up.0.temporal.1.proj_out.weight"] == [16, 16])
        #expect(names["unet.up.1.temporal.1.proj_out.weight"] == [8, 8])
        #expect(names["unet.up.1.temporal.2.proj_out.weight"] == nil)
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.normal([4, 3, 16, 16], using: &rng)
        let graphs = try TemporalTransformerTests.frameGraphs(4)
        let t = [Int](repeating: 300, count: 4)
        let (imageEps, videoEps) = GradMode.disabled { (image(x, timesteps: t, graphs: graphs), video(x, timesteps: t, frameGraphs: graphs, frames: 4)) }
        #expect(zip(imageEps.scalars, videoEps.scalars).map { abs($0 - $1) }.max() == 0)
        // The default (the attention levels) has none at level 0, and draws the same layers as before the key.
        var d = RandomGenerator(seed: 9)
        let plain = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 4), rng: &d)
        #expect(!plain.namedParameters().contains { $0.0.hasPrefix("unet.down.0.temporal") })
    }

    @Test func temporalLevelsKeyIsReadCheckedAndWrittenBack() throws {
        let c = try ModelConfiguration.parse(yaml: "model:\n  frames: 8\n  temporal_levels: [0, 1, 2]\n", source: "v.yaml")
        #expect(c.unet.temporalLevels == [0, 1, 2])
        #expect(try ModelConfiguration.parse(yaml: configurationYAML([c.section]), source: "round trip") == c)
        for (yaml, why) in [("  frames: 8\n  temporal_levels: [3]\n", "level 3 does not exist"), ("  temporal_levels: [0]\n", "only a video model")] {
            do {
                _ = try ModelConfiguration.parse(yaml: "model:\n" + yaml, source: "v.yaml")
                Issue.record("\(yaml) accepted")
            } catch { #expect("\(error)".contains("v.yaml: model.temporal_levels: " + why), "\(error)") }
        }
    }
}
