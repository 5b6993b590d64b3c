@testable import RunConfiguration
import RunLogging
import Diffusion
import Foundation
import GraphEncoder
import NN
import SceneGraphs
import Tensors
import Testing
import ShapeWorld
@testable import Training

/// A tiny image model on disk and the clip config that inflates it.
enum TinyClipRun {
    static let config = TinyRun.config.replacingOccurrences(of: "  G: 16\n", with: "  G: 16\n  frames: 4\n")

    /// Writes a randomly initialised image model of TinyRun's sizes next to `folder`.
    static func imageModel(near folder: URL) throws -> (url: URL, model: SceneGraphDiffusion) {
        let configuration = try ModelConfiguration.parse(yaml: TinyRun.config, source: "tiny")
        var rng = RandomGenerator(seed: 11)
        let model = SceneGraphDiffusion(configuration, rng: &rng)
        let url = folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + "-image.safetensors")
        try ModelFile.write(model, vocabulary: .shapeWorld, setup: DiffusionSetup(imageSize: 16), recipe: "{\"data\": {\"size\": 16}}", steps: 0, to: url)
        return (url, model)
    }
}

@Suite struct ClipTrainingTests {
    /// At step 0 the inflated model is the image model: same ε for every frame, bit for bit, and
    /// only the temporal layers train; after steps the image weights have not moved.
    @Test func stepZeroInflatedModelComputesTheImageModelsEpsilon() throws {
        let run = TinyRun.folder("clip-identity")
        let config = try TinyRun.configFile(near: run, text: TinyClipRun.config)
        let image = try TinyClipRun.imageModel(near: run)
        defer { for u in [run, config, image.url] { try? FileManager.default.removeItem(at: u) } }
        let launched = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: run, resume: false, overrides: ["train.steps=2"]).prepare()
        let task = launched.task

        let clips = 2, f = 4
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.normal([clips * f, 3, 16, 16], using: &rng)
        let graphs = (0..<(clips * f)).map { i in
            SceneGraph(objects: ["red circle", "blue square", "green triangle"],
                       relationships: [Relationship(0, i % f < 2 ? "left of" : "right of", 1), Relationship(2, "below", 1)])
        }
        let batch = GraphBatch(try SceneGraphBatch(graphs, vocabulary: .shapeWorld))
        let timesteps = [Int](repeating: 700, count: f) + [Int](repeating: 30, count: f)
        let (imageEps, clipEps) = GradMode.disabled {
            (image.model(x, timesteps: timesteps, graphs: batch), task.model(x, timesteps: timesteps, frameGraphs: batch, frames: f))
        }
        #expect(zip(imageEps.scalars, clipEps.scalars).map { abs($0 - $1) }.max() == 0)

        #expect(task.trained.allSatisfy { $0.0.contains("temporal.") } && !task.trained.isEmpty)
        let imageNames = Set(image.model.namedParameters().map(\.0))
        #expect(Set(task.model.namedParameters().map(\.0).filter { !$0.contains("temporal.") }) == imageNames)

        #expect(try launched.run.run() == .finished)
        let before = image.model.stateDict()
        let after = task.model.stateDict()
        for (name, tensor) in before { #expect(after[name] == tensor, "frozen \(name) moved") }
        // The zero-initialised projections are the first to learn; they must have moved.
        let projections = task.trained.filter { $0.0.hasSuffix("proj_out.weight") }
        #expect(projections.contains { p in p.1.scalars.contains { $0 != 0 } })
    }

    /// Plain clips, and clips continued from context frames (their draws are part of the stream).
    @Test(arguments: [[], ["model.context_frames=2", "train.context_clip_share=0.5"]])
    func resumedClipRunEqualsUninterruptedRun(continuing: [String]) throws {
        let name = continuing.isEmpty ? "clip" : "clip-continued"
        let whole = TinyRun.folder(name + "-whole"), parts = TinyRun.folder(name + "-parts")
        let config = try TinyRun.configFile(near: whole, text: TinyClipRun.config)
        let image = try TinyClipRun.imageModel(near: whole)
        defer { for u in [whole, parts, config, image.url] { try? FileManager.default.removeItem(at: u) } }

        let a = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: whole, resume: false, overrides: ["train.steps=5"] + continuing).prepare()
        #expect(try a.run.run() == .finished)
        let b = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: parts, resume: false, overrides: ["train.steps=5"] + continuing).prepare()
        b.run.stepLimit = 3
        #expect(try b.run.run() == .stopped(step: 3))
        #expect(try ClipTrainingLaunch.trainsClips(config: nil, out: parts, resume: true, overrides: []))
        let c = try ClipTrainingLaunch(config: nil, initialWeights: nil, out: parts, resume: true, overrides: []).prepare()
        #expect(c.resumedAt == 3)
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)

        let wholeLosses = try TinyRun.losses(whole)
        #expect(wholeLosses.count == 5)
        #expect(try TinyRun.losses(parts) == wholeLosses)
        let wa = try SafeTensorsFile(contentsOf: whole.appendingPathComponent("model.safetensors"))
        let wb = try SafeTensorsFile(contentsOf: parts.appendingPathComponent("model.safetensors"))
        #expect(wa.tensors == wb.tensors)
        let written = try ModelFile.read(whole.appendingPathComponent("model.safetensors")).model
        #expect(written.unet.maximumFrames == 4)
        #expect(written.configuration.unet.contextFrames == (continuing.isEmpty ? 0 : 2))
        // The resumed half was given no --init; its checkpoint still knew the image model.
        #expect(wb.metadata["provenance"] == wa.metadata["provenance"])
        #expect(wb.metadata["provenance"]?.hasSuffix("; image layers from \(image.url.path) (trained with this project's `train` on ShapeWorld, 0 steps; EMA weights)") == true,
                "\(wb.metadata["provenance"] ?? "none")")
    }

    /// Which frames of a clip go in clean: none unless the model continues clips and a share is
    /// positive; then about the keyframe share with both ends, about the context share with the
    /// first 1…F−1 frames (every count seen), the rest none.
    @Test func contextFramesAreDrawnForTheSharesOfClipsAndOnlyForAContinuingModel() throws {
        let run = TinyRun.folder("clip-context")
        let config = try TinyRun.configFile(near: run, text: TinyClipRun.config)
        let image = try TinyClipRun.imageModel(near: run)
        defer { for u in [run, config, image.url] { try? FileManager.default.removeItem(at: u) } }
        let plain = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: run, resume: false,
                                           overrides: ["train.context_clip_share=1"]).prepare().task
        #expect(plain.contextFrames(clips: 100) == [[Int]](repeating: [], count: 100))
        try? FileManager.default.removeItem(at: run)
        let continuing = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: run, resume: false,
                                                overrides: ["model.context_frames=2", "train.context_clip_share=0.5",
                                                            "train.keyframe_clip_share=0.25"]).prepare().task
        let drawn = continuing.contextFrames(clips: 4000)
        #expect(Set(drawn) == [[], [0], [0, 1], [0, 1, 2], [0, 3]])
        let ends = Double(drawn.filter { $0 == [0, 3] }.count) / 4000, prefixes = Double(drawn.filter { $0.count > 0 && $0 != [0, 3] }.count) / 4000
        #expect(abs(ends - 0.25) < 0.03, "both ends \(ends)")
        #expect(abs(prefixes - 0.5) < 0.03, "prefixes \(prefixes)")
        try? FileManager.default.removeItem(at: run)
        do {
            _ = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: run, resume: false, overrides: ["train.context_clip_share=1.5"]).prepare()
            Issue.record("a share of 1.5 accepted")
        } catch { #expect("\(error)".contains("train.context_clip_share"), "\(error)") }
        do {
            _ = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: run, resume: false,
                                       overrides: ["train.context_clip_share=0.8", "train.keyframe_clip_share=0.3"]).prepare()
            Issue.record("shares adding to 1.1 accepted")
        } catch { #expect("\(error)".contains("train.keyframe_clip_share"), "\(error)") }
    }

    @Test func evaluationScoresHeldOutClips() throws {
        let run = TinyRun.folder("clip-eval")
        let config = try TinyRun.configFile(near: run, text: TinyClipRun.config)
        let image = try TinyClipRun.imageModel(near: run)
        defer { for u in [run, config, image.url] { try? FileManager.default.removeItem(at: u) } }
        let launched = try ClipTrainingLaunch(config: config, initialWeights: image.url, out: run, resume: false,
                                              overrides: ["train.steps=1", "train.eval_graphs=2", "train.eval_steps=2"]).prepare()
        #expect(try launched.run.run() == .finished)
        let series = try MetricsHistory.series(in: run.appendingPathComponent("metrics.jsonl"),
                                               names: ["eval/recall", "eval/identity_kept", "eval/motion_consistency"])
        #expect(series.count == 3 && series.allSatisfy { $0.points.count == 1 && (0...1).contains($0.points[0].value) })
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("samples/clips-step-00000001.png").path))
    }

    @Test func wrongStartsAreOneClearError() throws {
        let run = TinyRun.folder("clip-bad")
        let config = try TinyRun.configFile(near: run, text: TinyClipRun.config)
        let image = try TinyClipRun.imageModel(near: run)
        let other = try TinyRun.configFile(near: TinyRun.folder("clip-other"), text: TinyClipRun.config.replacingOccurrences(of: "heads: 2", with: "heads: 4"))
        defer { for u in [run, config, image.url, other] { try? FileManager.default.removeItem(at: u) } }
        do {
            _ = try ClipTrainingLaunch(config: config, initialWeights: nil, out: run, resume: false, overrides: []).prepare()
            Issue.record("clip training started without an image model")
        } catch { #expect("\(error)".contains("--init")) }
        do {
            _ = try ClipTrainingLaunch(config: other, initialWeights: image.url, out: TinyRun.folder("clip-other-run"), resume: false, overrides: []).prepare()
            Issue.record("an image model of other sizes was inflated")
        } catch { #expect("\(error)".contains("model.heads") && "\(error)".contains(image.url.path)) }
        #expect(try !ClipTrainingLaunch.trainsClips(config: try TinyRun.configFile(near: run, text: TinyRun.config), out: run, resume: false, overrides: []))
    }
}

@Suite struct ShippedVideoConfigTests {
    @Test func shapes32VideoConfigIsTheImageModelWithEightFramesOfCorrelatedNoise() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let video = try ConfigFile(url: root.appendingPathComponent("configs/shapes32_video.yaml"))
        let image = try ConfigFile(url: root.appendingPathComponent("configs/shapes32.yaml"))
        var model = try video.model()
        #expect(model.unet.frames == 8 && model.unet.frameNoiseCorrelation == 0.9)
        model.unet.frames = 0
        model.unet.frameNoiseCorrelation = 0
        #expect(model == (try image.model()))
        let recipe = try video.read { try TrainingConfiguration.parse(root: $0, source: $1) }
        #expect(recipe.batch == 4)
        _ = try video.read { try DataConfiguration.parse(root: $0, source: $1) }
        #expect(try ClipTrainingLaunch.trainsClips(config: root.appendingPathComponent("configs/shapes32_video.yaml"), out: root, resume: false, overrides: []))
    }
}

@Suite struct ClipTrainingLeverTests {
    func changes(_ c: ShapeWorldClip) -> Bool { c.frames.dropFirst().contains { $0.graph.relationships != c.frames[0].graph.relationships } }

    @Test func aShareOfClipsIsDrawnAgainUntilTheirRelationsChange() {
        let renderer = ShapeWorldRenderer(size: 32, minObjects: 2, maxObjects: 4, nestedProbability: 0)
        let plain = ShapeWorldClipBatches(renderer: renderer, seed: 1, frames: 8)
        let all = ShapeWorldClipBatches(renderer: renderer, seed: 1, frames: 8, changingShare: 1)
        // Share 0: the generator's clips, unchanged.
        for i in 0..<10 { #expect(plain.clip(i).frames.map(\.graph) == renderer.clip(seed: 1, index: i, frames: 8).frames.map(\.graph)) }
        // Share 1: every clip changes its relations; a clip that already did is kept as it was.
        let natural = (0..<40).filter { changes(renderer.clip(seed: 1, index: $0, frames: 8)) }.count
        #expect(natural > 5 && natural < 30)
        for i in 0..<40 {
            #expect(changes(all.clip(i)), "clip \(i)")
            if changes(plain.clip(i)) { #expect(all.clip(i).frames.map(\.graph) == plain.clip(i).frames.map(\.graph)) }
        }
    }
}
