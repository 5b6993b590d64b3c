import Diffusion
import Foundation
import GraphEncoder
import NN
import SceneGraphs
import ShapeWorld
import Tensors

/// Masked-contrastive pretraining of the graph encoder (DESIGN.md, method step 2): symmetric
/// InfoNCE between graph and image vectors, with graphs whose one predicate is flipped as hard
/// negatives, plus SGDiff's masked reconstruction of the image tokens under chosen objects.
public final class EncoderPretraining: TrainingTask {
    public let model: PretrainingModel
    public let graphConfiguration: GraphEncoderConfiguration
    public let recipe: PretrainingConfiguration
    public let data: DataConfiguration
    public let vocabulary = Vocabulary.shapeWorld
    public let kind = "pretrain"
    public private(set) var step = 0
    public var totalSteps: Int { recipe.steps }
    public let plottedLosses = ["train/loss", "train/contrastive", "train/masked"]
    public let plottedEvaluations = ["eval/r1_graph_to_image", "eval/r1_image_to_graph", "eval/r5_graph_to_image", "eval/relation_swap_accuracy"]

    let trained: [(String, Tensor)]
    let optimizer: AdamW
    let learningRates: WarmupCosineSchedule
    var rng: RandomGenerator
    var batches: ShapeWorldBatches
    let evaluation: RetrievalEvaluation

    public init(graph: GraphEncoderConfiguration, recipe: PretrainingConfiguration, data: DataConfiguration) throws {
        guard graph.objectClasses >= vocabulary.objectNames.count, graph.predicateClasses >= vocabulary.predicateNames.count else {
            throw ConfigurationError(source: "config", key: "model.num_objects",
                                     message: "ShapeWorld needs \(vocabulary.objectNames.count) object and \(vocabulary.predicateNames.count) predicate classes")
        }
        graphConfiguration = graph
        self.recipe = recipe; self.data = data
        var image = recipe.imageEncoder
        image.imageSize = data.size
        image.globalDimension = graph.globalDimension
        guard image.imageSize % image.patch == 0 else {
            throw ConfigurationError(source: "config", key: "pretrain.image_encoder.patch",
                                     message: "patch \(image.patch) does not divide the image size \(image.imageSize)")
        }
        var initRNG = RandomGenerator(seed: recipe.seed)
        model = PretrainingModel(graph: graph, image: image, rng: &initRNG)
        trained = model.namedParameters()
        optimizer = AdamW(namedParameters: trained, learningRate: Float(recipe.learningRate), weightDecay: Float(recipe.weightDecay),
                          decayExempt: OptimizerCheckpoint.decayExempt)
        learningRates = WarmupCosineSchedule(peak: Float(recipe.learningRate), minimum: Float(recipe.minimumLearningRate),
                                             warmupSteps: min(recipe.warmup, recipe.steps), totalSteps: recipe.steps)
        rng = RandomGenerator(seed: recipe.seed &+ 0x5EED)
        batches = ShapeWorldBatches(renderer: data.renderer, seed: data.seed)
        evaluation = RetrievalEvaluation(pairs: recipe.evalPairs, data: data, vocabulary: vocabulary)
    }

    public func trainStep() throws -> [(String, Double)] {
        let lr = learningRates.learningRate(at: step)
        optimizer.learningRate = lr
        let b = recipe.batch, image = model.imageEncoder.configuration
        let (pixels, graphs) = batches.next(b)
        let encoding = model.encoder(GraphBatch(try SceneGraphBatch(graphs, vocabulary: vocabulary)))
        let images = Tensor(shape: [b, image.inChannels, image.imageSize, image.imageSize], scalars: pixels)
        let embedded = model.imageEncoder.embed(images)
        let tokens = model.imageEncoder.encode(embedded)

        var loss = Tensor(0), contrastive = 0.0, masked = 0.0
        if recipe.contrastiveWeight > 0 {
            let negatives = try hardNegatives(graphs)
            let l = contrastiveLoss(graphs: encoding.global, images: model.imageEncoder.global(tokens), logitScale: model.logitScale,
                                    hardNegatives: negatives)
            contrastive = Double(l.item)
            loss = loss + l * Float(recipe.contrastiveWeight)
        }
        if recipe.maskedWeight > 0 {
            let flags = maskFlags(graphs, grid: image.grid)
            let count = flags.filter { $0 }.count
            if count > 0 {
                let target = tokens.detached()
                let prediction = model.reconstruction(model.imageEncoder.encode(model.reconstruction.masking(embedded, flags)),
                                                      graph: encoding.local, graphMask: encoding.mask)
                let on = Tensor(shape: [b, image.tokens, 1], scalars: flags.map { $0 ? 1 : 0 })
                // Mean over the masked positions only.
                let l = mseLoss(prediction * on, target * on) * (Float(b * image.tokens) / Float(count))
                masked = Double(l.item)
                loss = loss + l * Float(recipe.maskedWeight)
            }
        }
        for (_, p) in trained { p.grad = nil }
        loss.backward()
        let gradientNorm = clipGradientNorm(trained.map(\.1), maxNorm: Float(recipe.gradientClip))
        optimizer.update()
        model.clampLogitScale()
        step += 1
        return [("loss", Double(loss.item)), ("contrastive", contrastive), ("masked", masked),
                ("temperature_inverse", Double(Foundation.exp(model.logitScale.item))), ("lr", Double(lr)), ("grad_norm", Double(gradientNorm))]
    }

    /// Global vectors of flipped copies of a share of the batch's graphs (nil when off or none flips).
    func hardNegatives(_ graphs: [SceneGraph]) throws -> Tensor? {
        guard recipe.hardNegatives == "relation_swap" else { return nil }
        var flipped: [SceneGraph] = []
        for g in graphs {
            let choices = g.flippableRelationships
            guard rng.nextDouble() < recipe.hardNegativeShare, !choices.isEmpty else { continue }
            flipped.append(g.flippingPredicate(at: choices[rng.nextInt(below: choices.count)]))
        }
        guard !flipped.isEmpty else { return nil }
        return model.encoder(GraphBatch(try SceneGraphBatch(flipped, vocabulary: vocabulary))).global
    }

    /// [B·N] flags: patches meeting the box of an object chosen with p = mask_probability.
    func maskFlags(_ graphs: [SceneGraph], grid: Int) -> [Bool] {
        var flags = [Bool](repeating: false, count: graphs.count * grid * grid)
        for (i, g) in graphs.enumerated() {
            for box in g.boxes ?? [] where rng.nextDouble() < recipe.maskProbability {
                for p in patchesCovered(box: (box.x0, box.y0, box.x1, box.y1), grid: grid) { flags[i * grid * grid + p] = true }
            }
        }
        return flags
    }

    public func checkpointState() -> [String: SafeTensor] {
        OptimizerCheckpoint.state(model: model, optimizer: optimizer, rng: rng, dataIndex: batches.nextIndex, step: step)
    }

    public func restore(from file: SafeTensorsFile, source: String) throws {
        (rng, batches.nextIndex, step) = try OptimizerCheckpoint.restore(from: file, source: source, model: model, optimizer: optimizer)
    }

    public func evaluate(run: RunFolder, metrics: MetricsLog) throws -> [(String, Double)] {
        try evaluation.run(model)
    }

    /// `encoder.safetensors`: the graph encoder under the reference's `encoder.*` names, with the
    /// model config, the vocabulary and the recipe in the metadata.
    public func finish(run: RunFolder) throws {
        var modelSection = ModelConfiguration.shapes32
        modelSection.encoder = graphConfiguration
        let metadata = ["format": "scene-graph-encoder/1", "config": configurationJSON([modelSection.section]),
                        "vocab": vocabulary.jsonString(), "recipe": configurationJSON([recipe.section, data.section]),
                        "steps": String(step)]
        try SafeTensorsFile(tensors: model.encoder.stateDict(prefix: "encoder."), metadata: metadata)
            .write(to: run.url.appendingPathComponent("encoder.safetensors"))
    }
}
