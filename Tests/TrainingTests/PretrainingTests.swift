import Foundation
import GraphEncoder
import NN
import RunLogging
import Pipeline
import SceneGraphs
import ShapeWorld
import Tensors
import Testing
@testable import Training

@Suite struct PretrainingTests {
    static let config = TinyRun.config + """

    pretrain:
      batch: 4
      warmup: 2
      log_every: 1
      checkpoint_every: 3
      eval_every: 1000
      eval_pairs: 0
      image_encoder:
        width: 16
        depth: 1
        heads: 2
    """

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    /// `train --encoder RUN/encoder.safetensors`: the denoiser starts from the pretrained encoder,
    /// and its model file says where that encoder came from.
    @Test func denoiserRunStartsFromThePretrainedEncoder() throws {
        let pre = TinyRun.folder("pre-for-train"), run = TinyRun.folder("train-from-pre")
        let config = try TinyRun.configFile(near: pre, text: Self.config)
        defer { for u in [pre, run, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try PretrainingLaunch(config: config, out: pre, resume: false, loss: nil, overrides: ["pretrain.steps=2"]).prepare()
        #expect(try a.run.run() == .finished)
        let encoderFile = pre.appendingPathComponent("encoder.safetensors")
        let encoder = try SafeTensorsFile(contentsOf: encoderFile)
        let b = try DenoiserTrainingLaunch(config: config, encoder: TinyRun.relative("encoder.safetensors", in: pre), out: run, resume: false,
                                           overrides: ["train.steps=1", "train.encoder=frozen"]).prepare()
        let encoderParameters = b.task.model.namedParameters().filter { $0.0.hasPrefix("encoder.") }
        #expect(!encoderParameters.isEmpty)
        for (name, p) in encoderParameters { #expect(try encoder.floats(name).values == p.scalars, "\(name)") }
        #expect(try b.run.run() == .finished)
        let provenance = try SafeTensorsFile(contentsOf: run.appendingPathComponent("model.safetensors")).metadata["provenance"]
        #expect(provenance == "trained with this project's `train` on ShapeWorld, 1 steps; EMA weights; graph encoder from encoder.safetensors, pretrained 2 steps",
                "\(provenance ?? "none")")
    }

    /// encoder.safetensors also holds the image encoder the graph encoder was trained against, so the
    /// pair scores graph–image agreement (`GraphImageScorer`); `--export` rewrites it from a checkpoint.
    @Test func theEncoderFileHoldsBothEncodersAndExportRewritesIt() throws {
        let pre = TinyRun.folder("pre-scorer")
        let config = try TinyRun.configFile(near: pre, text: Self.config)
        defer { for u in [pre, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try PretrainingLaunch(config: config, out: pre, resume: false, loss: nil, overrides: ["pretrain.steps=3"]).prepare()
        #expect(try a.run.run() == .finished)
        let file = pre.appendingPathComponent("encoder.safetensors")
        let written = try Data(contentsOf: file)
        let scorer = try GraphImageScorer(file: file)
        #expect(scorer.imageEncoder.configuration.width == 16 && scorer.imageEncoder.configuration.depth == 1)
        for (name, p) in a.task.model.imageEncoder.namedParameters(prefix: "image_encoder.") {
            #expect(try SafeTensorsFile(contentsOf: file).floats(name).values == p.scalars, "\(name)")
        }
        try FileManager.default.removeItem(at: file)
        let again = try PretrainingLaunch(config: config, out: pre, resume: true, loss: nil, overrides: []).prepare()
        try again.run.export()
        #expect(try Data(contentsOf: file) == written)
    }

    /// `train.eval_scorer`: every evaluation adds the learned figures of its held-out samples —
    /// the mean graph–image score always, the Fréchet distance to the graphs' rendered images.
    @Test func trainingEvaluationAddsTheLearnedFigures() throws {
        let pre = TinyRun.folder("pre-eval-scorer"), run = TinyRun.folder("train-eval-scorer")
        let config = try TinyRun.configFile(near: pre, text: Self.config)
        defer { for u in [pre, run, config] { try? FileManager.default.removeItem(at: u) } }
        #expect(try PretrainingLaunch(config: config, out: pre, resume: false, loss: nil, overrides: ["pretrain.steps=1"]).prepare().run.run() == .finished)
        let scorer = pre.appendingPathComponent("encoder.safetensors").path
        let b = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false,
                                           overrides: ["train.steps=1", "train.eval_graphs=4", "train.eval_steps=2", "train.eval_scorer=\(scorer)"]).prepare()
        #expect(try b.run.run() == .finished)
        let names = ["eval/learned_mean_score", "eval/learned_frechet_distance", "eval/recall"]
        let series = try MetricsHistory.series(in: run.appendingPathComponent("metrics.jsonl"), names: names)
        #expect(series.map(\.points.count) == [1, 1, 1], "\(series.map(\.name))")
        let score = series.first?.points.first?.value ?? 9
        #expect(score >= -1 && score <= 1)
        #expect(message { _ = try DenoiserTrainingLaunch(config: config, encoder: nil, out: TinyRun.folder("never"), resume: false,
                                                         overrides: ["train.eval_scorer=/nonexistent/encoder.safetensors"]).prepare() }
                .contains("/nonexistent/encoder.safetensors: no such encoder file"))
    }

    /// Stopped after N steps and resumed: the same losses and encoder bit for bit.
    @Test func resumedRunEqualsUninterruptedRun() throws {
        let whole = TinyRun.folder("pre-whole"), parts = TinyRun.folder("pre-parts")
        let config = try TinyRun.configFile(near: whole, text: Self.config)
        defer { for u in [whole, parts, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try PretrainingLaunch(config: config, out: whole, resume: false, loss: nil, overrides: ["pretrain.steps=7"]).prepare()
        #expect(try a.run.run() == .finished)
        let b = try PretrainingLaunch(config: config, out: parts, resume: false, loss: nil, overrides: ["pretrain.steps=7"]).prepare()
        b.run.stepLimit = 4
        #expect(try b.run.run() == .stopped(step: 4))
        let c = try PretrainingLaunch(config: nil, out: parts, resume: true, loss: nil, overrides: []).prepare()
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)
        let lw = try TinyRun.losses(whole), lp = try TinyRun.losses(parts)
        #expect(lw.count == 7 && lp == lw)
        let ea = try SafeTensorsFile(contentsOf: whole.appendingPathComponent("encoder.safetensors"))
        let eb = try SafeTensorsFile(contentsOf: parts.appendingPathComponent("encoder.safetensors"))
        #expect(ea.tensors == eb.tensors)
        #expect(ea.tensors.keys.allSatisfy { $0.hasPrefix("encoder.") || $0.hasPrefix("image_encoder.") } && ea.tensors["encoder.obj_embed.weight"] != nil
                && ea.tensors["image_encoder.patch.weight"] != nil)
    }

    /// `--loss masked` turns the contrastive objective off (and the other way round).
    @Test func lossSelection() throws {
        let run = TinyRun.folder("pre-loss")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let masked = try PretrainingLaunch(config: config, out: run, resume: false, loss: .masked, overrides: ["pretrain.steps=2"]).prepare()
        #expect(masked.task.recipe.contrastiveWeight == 0 && masked.task.recipe.maskedWeight == 1)
        let values = try masked.task.trainStep()
        #expect(values.first { $0.0 == "contrastive" }?.1 == 0)
        #expect(values.first { $0.0 == "masked" }!.1 > 0)
        try FileManager.default.removeItem(at: run)
        let contrastive = try PretrainingLaunch(config: config, out: run, resume: false, loss: .contrastive, overrides: ["pretrain.steps=2"]).prepare()
        let c = try contrastive.task.trainStep()
        #expect(c.first { $0.0 == "masked" }?.1 == 0)
        #expect(c.first { $0.0 == "contrastive" }!.1 > 0)
    }

    /// The layout objective regresses each real object's box (not `__image__`'s) from its graph
    /// vector: the rows skip each graph's `__image__`, the loss is their boxes' MSE, and a few steps
    /// on the layout alone lower it.
    @Test func layoutObjectiveRegressesObjectBoxes() throws {
        let run = TinyRun.folder("pre-layout")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let launch = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil,
                                           overrides: ["pretrain.loss.layout=1", "pretrain.loss.contrastive=0", "pretrain.loss.masked=0",
                                                       "pretrain.lr=3e-3", "pretrain.warmup=0"]).prepare()
        let task = launch.task
        let graphs = [SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)],
                                 boxes: [Box(x0: 0.1, y0: 0.2, x1: 0.3, y1: 0.4), Box(x0: 0.6, y0: 0.5, x1: 0.9, y1: 0.8)]),
                      SceneGraph(objects: ["green triangle"], relationships: [], boxes: [Box(x0: 0.25, y0: 0.5, x1: 0.75, y1: 1)])]
        let (rows, boxes) = try task.objectBoxes(graphs)
        #expect(rows == [0, 1, 3])   // objects 0, 1, __image__ (2), then graph 1's object (3) and its __image__ (4)
        #expect(boxes == [0.1, 0.2, 0.3, 0.4, 0.6, 0.5, 0.9, 0.8, 0.25, 0.5, 0.75, 1])
        #expect(throws: (any Error).self) { try task.objectBoxes([SceneGraph(objects: ["red circle"], relationships: [])]) }

        let first = try task.trainStep()
        #expect(first.first { $0.0 == "contrastive" }?.1 == 0 && first.first { $0.0 == "masked" }?.1 == 0)
        let start = first.first { $0.0 == "layout" }!.1
        #expect(start > 0 && abs(first.first { $0.0 == "loss" }!.1 - start) < 1e-6)
        var last = start
        for _ in 0..<30 { last = try task.trainStep().first { $0.0 == "layout" }!.1 }
        #expect(last < 0.5 * start, "layout loss \(start) → \(last)")
    }

    /// Mirrored images reverse each row of every channel, and only images whose graph has a left/right
    /// relation become negatives (one row of the gathered tensor each).
    @Test func mirrorNegativesAreTheLeftRightGraphsImagesMirrored() throws {
        #expect(mirroredImages([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,   20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35],
                               indices: [1], channels: 4, size: 2) == [21, 20, 23, 22, 25, 24, 27, 26, 29, 28, 31, 30, 33, 32, 35, 34])
        let run = TinyRun.folder("pre-mirror")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let launch = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil,
                                           overrides: ["pretrain.image_hard_negatives=mirror"]).prepare()
        let task = launch.task
        let image = task.model.imageEncoder.configuration, plane = image.inChannels * image.imageSize * image.imageSize
        var rng = RandomGenerator(seed: 5)
        let pixels = Tensor.uniform([3 * plane], low: -1, high: 1, using: &rng).scalars
        let graphs = [SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "above", 1)]),
                      SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(1, "right of", 0)]),
                      SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)])]
        let negatives = try #require(try task.mirrorNegatives(graphs, pixels: pixels, shares: [0..<3]))
        #expect(negatives.shape == [2, task.graphConfiguration.globalDimension])
        let direct = GradMode.disabled {
            task.model.imageEncoder.global(task.model.imageEncoder.encode(task.model.imageEncoder.embed(
                Tensor(shape: [1, image.inChannels, image.imageSize, image.imageSize],
                       scalars: mirroredImages(pixels, indices: [2], channels: image.inChannels, size: image.imageSize)))))
        }
        #expect(zip(Array(negatives.scalars[negatives.shape[1]...]), direct.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(try task.mirrorNegatives([graphs[0]], pixels: Array(pixels[..<plane]), shares: [0..<1]) == nil)
        let step = try task.trainStep()
        #expect(step.first { $0.0 == "contrastive" }!.1 > 0)
    }

    /// Several flipped copies of a chosen graph each flip a different relation (as many as it has,
    /// at most `hard_negative_copies`), and a copy differs from its graph in exactly one predicate.
    @Test func hardNegativeCopiesFlipDifferentRelations() throws {
        let run = TinyRun.folder("pre-copies")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let launch = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil,
                                           overrides: ["pretrain.hard_negative_share=1", "pretrain.hard_negative_copies=3"]).prepare()
        var renderer = ShapeWorldRenderer(size: 16, minObjects: 3, maxObjects: 4)
        let graphs = (0..<40).map { renderer.scene(seed: 77, index: $0).graph }
        let swaps = launch.task.relationSwaps(graphs)
        var sawSeveral = false
        for (i, g) in graphs.enumerated() {
            let copies = swaps.filter { $0.index == i }.map(\.graph)
            #expect(copies.count == min(3, g.flippableRelationships.count))
            sawSeveral = sawSeveral || copies.count > 1
            var flipped: [Int] = []
            for copy in copies {
                let changed = g.relationships.indices.filter { g.relationships[$0].predicate != copy.relationships[$0].predicate }
                #expect(changed.count == 1)
                flipped += changed
            }
            #expect(Set(flipped).count == flipped.count, "two copies of graph \(i) flip the same relation")
        }
        #expect(sawSeveral)
    }

    /// The masked objective's normalised target: zero mean and unit variance over each token.
    @Test func normalizedMaskedTarget() throws {
        let run = TinyRun.folder("pre-target")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let launch = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil, overrides: []).prepare()
        #expect(launch.task.recipe.maskedTarget == "normalized")
        let x = Tensor(shape: [1, 2, 4], scalars: [1, 2, 3, 4, -10, 0, 10, 40])
        let y = launch.task.normalizedTokens(x).scalars
        for row in 0..<2 {
            let r = Array(y[(row * 4)..<(row * 4 + 4)]).map(Double.init)
            let mean = r.reduce(0, +) / 4, variance = r.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-4, "row \(row): mean \(mean), variance \(variance)")
        }
        #expect(abs(Double(y[0]) - (1 - 2.5) / (1.25 + 1e-5).squareRoot()) < 1e-5)
    }

    @Test func badInputIsOneClearLine() throws {
        let run = TinyRun.folder("pre-bad")
        let text = Self.config + "\n  temperature: 3\n"
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(of: "  temperature: 3")! + 1
        let config = try TinyRun.configFile(near: run, text: text)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let unknown = message { _ = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil, overrides: []).prepare() }
        #expect(unknown.contains(":\(line): pretrain.temperature: unknown key"), "\(unknown)")
        let good = try TinyRun.configFile(near: TinyRun.folder("pre-good"), text: Self.config)
        defer { try? FileManager.default.removeItem(at: good) }
        let typed = message { _ = try PretrainingLaunch(config: good, out: run, resume: false, loss: nil, overrides: ["pretrain.loss.masked=lots"]).prepare() }
        #expect(typed.contains("pretrain.loss.masked: expected a number"), "\(typed)")
        #expect(!FileManager.default.fileExists(atPath: run.path), "a failed launch left a run folder")
        let missing = message { _ = try PretrainingLaunch(config: nil, out: run, resume: true, loss: nil, overrides: []).prepare() }
        #expect(missing.contains("no run to resume here"), "\(missing)")
        let unwritable = URL(fileURLWithPath: "/proc/no-such-place/run")
        let m = message { _ = try PretrainingLaunch(config: good, out: unwritable, resume: false, loss: nil, overrides: []).prepare() }
        #expect(m.hasPrefix("/proc/no-such-place/run: cannot create the run folder"), "\(m)")
    }
}
