import RunConfiguration
import RunLogging
import Diffusion
import Foundation
import Output
import GraphEncoder
import Pipeline
import Media
import NN
import SceneGraphs
import ShapeWorld
import Tensors

/// What the denoiser draws, measured: samples of fixed held-out ShapeWorld graphs (a data seed
/// training never draws) scored by the checker, with the gap between recall on the right graphs
/// and on shuffled ones — the early sign that the graph is used at all.
public final class DenoiserEvaluation {
    /// The sampling model; its parameters are overwritten with the EMA weights before each use.
    public let model: SceneGraphDiffusion
    public let graphs: [SceneGraph]
    let recipe: TrainingConfiguration
    let data: DataConfiguration
    /// Draws the held-out graphs: the same pipeline as `sample`, so an evaluation's images are the
    /// ones `sample --eval` draws from the written model with the same seeds.
    let pipeline: DiffusionPipeline
    let vocabulary: Vocabulary
    let checker = SceneChecker()
    /// Whether the checker can read these graphs: ShapeWorld's classes and geometric predicates
    /// (ShapeWorld, or a pack exported from it); otherwise only the sample sheet is made.
    let checkable: Bool
    /// The learned encoders (`train.eval_scorer`) and the held-out graphs' own images: the learned
    /// figures, which need no checker, so a real data set gets a faithfulness figure too.
    let scorer: GraphImageScorer?
    let realImages: [ByteImage]

    /// `heldOut`: a pack's held-out graphs and images; nil renders ShapeWorld's from data.eval_seed.
    init(configuration: ModelConfiguration, recipe: TrainingConfiguration, data: DataConfiguration,
         vocabulary: Vocabulary = .shapeWorld, heldOut: (graphs: [SceneGraph], pixels: [[Float]])? = nil) throws {
        var rng = RandomGenerator(seed: 0)
        model = SceneGraphDiffusion(configuration, rng: &rng)
        pipeline = DiffusionPipeline(model: model, vocabulary: vocabulary, setup: DiffusionSetup(imageSize: data.size))
        self.recipe = recipe; self.data = data; self.vocabulary = vocabulary
        let renderer = data.renderer
        // The checker must judge the relations the image shows, not the layout it was rendered
        // with: boxes are dropped, so objects are matched by class alone.
        let scenes = heldOut == nil ? (0..<recipe.evalGraphs).map { renderer.scene(seed: data.evalSeed, index: $0) } : []
        graphs = (heldOut?.graphs ?? scenes.map(\.graph)).map { graph in
            var g = graph
            g.boxes = nil; g.image = nil
            return g
        }
        checkable = graphs.allSatisfy { g in
            g.objects.allSatisfy { ShapeClass(name: $0) != nil } && g.relationships.allSatisfy { geometricPredicates.contains($0.predicate) }
        }
        if let file = recipe.evalScorer {
            let scorer = try GraphImageScorer(file: URL(fileURLWithPath: file))
            try scorer.check(fits: vocabulary, imageSize: data.size)
            self.scorer = scorer
            realImages = try heldOut.map { h in
                try h.pixels.map { try ByteImage(tensor: Tensor(shape: [3, data.size, data.size], scalars: $0)) }
            } ?? scenes.map { try ByteImage(width: $0.size, height: $0.size, channels: 3, pixels: $0.pixels) }
        } else {
            scorer = nil; realImages = []
        }
    }

    /// The learned figures of the held-out images (none without `train.eval_scorer`).
    func learnedFigures(_ images: [ByteImage]) throws -> [(String, Double)] {
        guard let scorer else { return [] }
        return try LearnedScoreFigures(scorer: scorer, graphs: graphs, images: images, real: realImages).named
    }

    /// Copies the EMA averages (kept in `namedParameters` order) into the sampling model.
    func load(_ ema: ExponentialMovingAverage) { ema.copyAverages(into: model.parameters) }

    /// The held-out graphs drawn with the evaluation settings, graph k with seed k: what
    /// `sample --eval` draws from the written model with `--seed 0` and the same sampler and guidance.
    func drawHeldOut() throws -> [ByteImage] {
        // Plain guidance at every step, as every learning curve so far was measured, whatever `sample`'s defaults become.
        let settings = SampleSettings(sampler: try SamplerKind(name: recipe.evalSampler, steps: recipe.evalSteps), guidance: recipe.evalGuidance, seed: 0,
                                      relationGuidance: 0, guidanceCutoff: 0, objectGuidance: 0)
        return try pipeline.images(graphs.enumerated().map { ($1, UInt64($0)) }, settings: settings)
    }

    /// Samples every held-out graph, scores the images, writes a sample sheet and returns the figures.
    func run(step: Int, folder: RunFolder, metrics: MetricsLog) throws -> [(String, Double)] {
        guard !graphs.isEmpty else { return [] }
        let start = Date()
        let images = try drawHeldOut()
        let learned = try learnedFigures(images)
        guard checkable else {
            try writeSheet(step: step, images: images, folder: folder, metrics: metrics)
            return learned + [("seconds", Date().timeIntervalSince(start))]
        }
        var right = CheckMetrics(), shuffled = CheckMetrics()
        for (i, image) in images.enumerated() {
            right.add(checker.check(rgb: image.pixels, width: image.width, height: image.height, graph: graphs[i]))
            let other = graphs[(i + 1) % graphs.count]
            shuffled.add(checker.check(rgb: image.pixels, width: image.width, height: image.height, graph: other))
        }
        try writeSheet(step: step, images: images, folder: folder, metrics: metrics)
        return [("recall", right.objectRecall), ("relation_accuracy", right.relationAccuracy),
                ("relation_accuracy_found_pairs", right.foundPairRelationAccuracy), ("graph_accuracy", right.graphAccuracy),
                ("extra_objects", right.extraPerImage), ("missed_wrong_shape", right.wrongShapeShare),
                ("missed_wrong_colour", right.wrongColourShare), ("missed_absent", right.absentShare),
                ("recall_shuffled", shuffled.objectRecall),
                ("recall_gap", right.objectRecall - shuffled.objectRecall)] + learned + [("seconds", Date().timeIntervalSince(start))]
    }

    func writeSheet(step: Int, images: [ByteImage], folder: RunFolder, metrics: MetricsLog) throws {
        let shown = min(images.count, 12)
        let items = (0..<shown).map { (image: images[$0], caption: graphs[$0].captionLines) }
        let title = "step \(step) · \(recipe.evalSampler)-\(recipe.evalSteps) · guidance \(recipe.evalGuidance)"
        let sheet = SampleSheet.render(title: title, items: items, columns: 3, scale: 4)
        try FileManager.default.createDirectory(at: folder.samples, withIntermediateDirectories: true)
        let png = try PNGCodec.encode(sheet)
        try AtomicFile.write(png, to: folder.samples.appendingPathComponent(String(format: "step-%08d.png", step)))
        try metrics.logImage(step: step, tag: "samples", png: png)
    }
}

extension SceneGraph {
    /// Short lines for a picture caption: the objects, then "red circle left of blue square" per relation.
    public var captionLines: [String] {
        func name(_ i: Int) -> String { objects.indices.contains(i) ? objects[i] : "#\(i)" }
        return [objects.joined(separator: ", ")] + relationships.map { "\(name($0.subject)) \($0.predicate) \(name($0.object))" }
    }
}
