import RunConfiguration
import RunLogging
import Datasets
import Diffusion
import Foundation
import GraphEncoder
import NN
import SceneGraphs
import ShapeWorld
import Tensors

/// Masked-contrastive pretraining of the graph encoder (docs/pretraining.md): symmetric
/// InfoNCE between graph and image vectors, with graphs whose one predicate is flipped as hard
/// negatives, plus SGDiff's masked reconstruction of the image tokens under chosen objects.
public final class EncoderPretraining: TrainingTask {
    public let model: PretrainingModel
    public let graphConfiguration: GraphEncoderConfiguration
    public let recipe: PretrainingConfiguration
    public let data: DataConfiguration
    public let vocabulary: Vocabulary
    public let kind = "pretrain"
    /// Always nil: pretraining starts from random weights.
    public var origin: String?
    public private(set) var step = 0
    public var totalSteps: Int { recipe.steps }
    public let plottedLosses = ["train/loss", "train/contrastive", "train/masked", "train/layout"]
    public let plottedEvaluations = ["eval/r1_graph_to_image", "eval/r1_image_to_graph", "eval/r5_graph_to_image", "eval/relation_swap_accuracy",
                                     "eval/mirror_accuracy"]

    let trained: [(String, Tensor)]
    let optimizer: AdamW
    let learningRates: WarmupCosineSchedule
    var rng: RandomGenerator
    var batches: ShapeWorldBatches
    /// The prepared data set's stream when the run reads one (`data.pack`); `batches` is then unused.
    var packed: PackedBatches?
    let evaluation: RetrievalEvaluation
    /// The ranks this run's global batch is split over (one by default).
    public var parallel = DataParallel.single

    public init(graph: GraphEncoderConfiguration, recipe: PretrainingConfiguration, data: DataConfiguration) throws {
        let source = try TrainingData(data)
        vocabulary = source.vocabulary
        try source.check(objectClasses: graph.objectClasses, predicateClasses: graph.predicateClasses)
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
        packed = source.packedBatches()
        if let heldOut = source.heldOut(recipe.evalPairs) {
            evaluation = RetrievalEvaluation(graphs: heldOut.graphs, pixels: heldOut.pixels, size: data.size, vocabulary: vocabulary)
        } else {
            evaluation = RetrievalEvaluation(pairs: recipe.evalPairs, data: data, vocabulary: vocabulary)
        }
    }

    public func trainStep() throws -> [(String, Double)] {
        let lr = learningRates.learningRate(at: step)
        optimizer.learningRate = lr
        // This rank's block of the global batch. Hard negatives and masks are drawn per graph of the
        // whole batch, so every rank takes all the batch's graphs (cheap) but only its block's images.
        let total = recipe.batch, shares = parallel.shares(of: total), share = parallel.share(of: total), b = share.count
        let image = model.imageEncoder.configuration
        let (pixels, graphs) = packed != nil ? packed!.next(imagesOf: share, graphsOf: total) : batches.next(imagesOf: share, graphsOf: total)
        let encoding = model.encoder(try GraphBatch(Array(graphs[share]), vocabulary: vocabulary))
        let images = Tensor(shape: [b, image.inChannels, image.imageSize, image.imageSize], scalars: pixels)
        let embedded = model.imageEncoder.embed(images)
        let tokens = model.imageEncoder.encode(embedded)

        // Over N ranks the objective is still L = w_c·L_c + w_m·L_m of the global batch, and each
        // rank back-propagates N times its part of it (the gradient average divides by N):
        // - L_c compares every graph with every image, so every rank computes it whole from the
        //   gathered vectors; the gather hands N·∂L_c/∂(own rows) back (GatheredRows.swift). The
        //   logit scale enters every rank's identical copy of L_c, so each holds its whole gradient
        //   and the average counts it once.
        // - L_m is a sum over the batch's masked positions divided by their global count: a rank's
        //   positions give a part of it, scaled by N (`globalMeanTerm`).
        // Every rank's loss value therefore averages, as the logged values are, to the global loss.
        var loss = Tensor(0), contrastive = 0.0, masked = 0.0, layout = 0.0
        if recipe.contrastiveWeight > 0 {
            let counts = shares.map(\.count)
            let negatives = try hardNegatives(graphs, shares: shares)
            let l = contrastiveLoss(graphs: try parallel.allGather(encoding.global, counts: counts),
                                    images: try parallel.allGather(model.imageEncoder.global(tokens), counts: counts),
                                    logitScale: model.logitScale, hardNegatives: negatives,
                                    hardNegativeImages: try mirrorNegatives(graphs, pixels: pixels, shares: shares))
            contrastive = Double(l.item)
            loss = loss + l * Float(recipe.contrastiveWeight)
        }
        if recipe.maskedWeight > 0 {
            let everyFlag = maskFlags(graphs, grid: image.grid)
            let count = everyFlag.filter { $0 }.count
            let flags = Array(everyFlag[(share.lowerBound * image.tokens)..<(share.upperBound * image.tokens)])
            if flags.contains(true) {
                // Normalised targets keep this term's scale fixed: raw tokens grow as the encoder trains
                // (the raw MSE rose 0.4 → 2.3 in the first run), and its gradient then dominated the
                // clipped norm, slowing the contrastive term.
                let target = recipe.maskedTarget == "normalized" ? normalizedTokens(tokens.detached()) : tokens.detached()
                let prediction = model.reconstruction(model.imageEncoder.encode(model.reconstruction.masking(embedded, flags)),
                                                      graph: encoding.local, graphMask: encoding.mask)
                let on = Tensor(shape: [b, image.tokens, 1], scalars: flags.map { $0 ? 1 : 0 })
                // Mean over the masked positions of the whole batch only.
                let l = parallel.globalMeanTerm(mseLoss(prediction * on, target * on), localCount: b * image.tokens, globalCount: count)
                masked = Double(l.item)
                loss = loss + l * Float(recipe.maskedWeight)
            }
        }
        if recipe.layoutWeight > 0 {
            // L_l is a mean over the whole batch's objects: a rank's objects give a part of it (as L_m).
            let (rows, boxes) = try objectBoxes(Array(graphs[share]))
            let predicted = model.boxes(indexSelect(encoding.objects, rows))
            let l = parallel.globalMeanTerm(mseLoss(predicted, Tensor(shape: [rows.count, 4], scalars: boxes)),
                                            localCount: rows.count, globalCount: graphs.reduce(0) { $0 + $1.objects.count })
            layout = Double(l.item)
            loss = loss + l * Float(recipe.layoutWeight)
        }
        for (_, p) in trained { p.grad = nil }
        loss.backward()
        try parallel.averageGradients(trained.map(\.1))
        let gradientNorm = clipGradientNorm(trained.map(\.1), maxNorm: Float(recipe.gradientClip))
        optimizer.update()
        model.clampLogitScale()
        step += 1
        return [("loss", Double(loss.item)), ("contrastive", contrastive), ("masked", masked), ("layout", layout),
                ("temperature_inverse", Double(Foundation.exp(model.logitScale.item))), ("lr", Double(lr)), ("grad_norm", Double(gradientNorm))]
    }

    /// Global vectors of flipped copies of a share of the whole batch's graphs (nil when off or none
    /// flips), in batch order. Each rank encodes the copies of its own graphs and gathers the rest.
    func hardNegatives(_ graphs: [SceneGraph], shares: [Range<Int>]) throws -> Tensor? {
        guard recipe.hardNegatives == "relation_swap" else { return nil }
        let swaps = relationSwaps(graphs)
        guard !swaps.isEmpty else { return nil }
        let counts = shares.map { s in swaps.filter { s.contains($0.index) }.count }
        let share = shares[parallel.communicator.rank]
        let mine = swaps.filter { share.contains($0.index) }.map(\.graph)
        let local = mine.isEmpty ? Tensor.zeros([0, graphConfiguration.globalDimension])
            : model.encoder(try GraphBatch(mine, vocabulary: vocabulary)).global
        return try parallel.allGather(local, counts: counts)
    }

    /// Global vectors of this rank's images whose graphs hold a left/right relation, mirrored left to
    /// right (each such relation is then false), gathered over the ranks in batch order; nil when
    /// off or none qualifies. `pixels` are this rank's block of images.
    func mirrorNegatives(_ graphs: [SceneGraph], pixels: [Float], shares: [Range<Int>]) throws -> Tensor? {
        guard recipe.imageHardNegatives == "mirror" else { return nil }
        let chosen = graphs.indices.filter { graphs[$0].hasHorizontalRelation }
        guard !chosen.isEmpty else { return nil }
        let counts = shares.map { s in chosen.filter { s.contains($0) }.count }
        let share = shares[parallel.communicator.rank]
        let mine = chosen.filter { share.contains($0) }.map { $0 - share.lowerBound }
        let image = model.imageEncoder.configuration
        let local = mine.isEmpty ? Tensor.zeros([0, graphConfiguration.globalDimension])
            : model.imageEncoder.global(model.imageEncoder.encode(model.imageEncoder.embed(
                Tensor(shape: [mine.count, image.inChannels, image.imageSize, image.imageSize],
                       scalars: mirroredImages(pixels, indices: mine, channels: image.inChannels, size: image.imageSize)))))
        return try parallel.allGather(local, counts: counts)
    }

    /// The batch's graphs that get copies with one predicate flipped (a different one in each copy),
    /// with the copies, in batch order. Draws for every graph of the global batch, so all ranks'
    /// generators stay in step.
    func relationSwaps(_ graphs: [SceneGraph]) -> [(index: Int, graph: SceneGraph)] {
        var swaps: [(index: Int, graph: SceneGraph)] = []
        for (i, g) in graphs.enumerated() {
            var choices = g.flippableRelationships
            guard rng.nextDouble() < recipe.hardNegativeShare, !choices.isEmpty else { continue }
            // A partial shuffle: with one copy this is one uniform draw, as before copies existed.
            for k in 0..<min(recipe.hardNegativeCopies, choices.count) {
                choices.swapAt(k, k + rng.nextInt(below: choices.count - k))
                swaps.append((i, g.flippingPredicate(at: choices[k])))
            }
        }
        return swaps
    }

    /// Rows of the graphs' real objects in their batch's object order (each graph's objects, then
    /// its `__image__`), with their true boxes flattened [rows·4] as (x0, y0, x1, y1).
    func objectBoxes(_ graphs: [SceneGraph]) throws -> (rows: [Int], boxes: [Float]) {
        var rows: [Int] = [], boxes: [Float] = [], base = 0
        for (i, g) in graphs.enumerated() {
            guard let b = g.boxes, b.count == g.objects.count else {
                throw ConfigurationError(source: "data", key: "pretrain.loss.layout", message: "graph \(i) of the batch has no box for every object")
            }
            for (k, box) in b.enumerated() { rows.append(base + k); boxes += [Float(box.x0), Float(box.y0), Float(box.x1), Float(box.y1)] }
            base += g.objects.count + 1
        }
        return (rows, boxes)
    }

    /// Tokens [B, N, C] normalised over C (zero mean, unit variance per token, no affine).
    func normalizedTokens(_ x: Tensor) -> Tensor {
        let c = x.shape.last ?? 0
        return layerNorm(x, weight: Tensor(shape: [c], scalars: [Float](repeating: 1, count: c)), bias: Tensor.zeros([c]))
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
        OptimizerCheckpoint.state(model: model, optimizer: optimizer, rng: rng, dataIndex: packed?.nextIndex ?? batches.nextIndex, step: step)
    }

    public func restore(from file: SafeTensorsFile, source: String) throws {
        (rng, batches.nextIndex, step) = try OptimizerCheckpoint.restore(from: file, source: source, model: model, optimizer: optimizer)
        packed?.nextIndex = batches.nextIndex
    }

    public func evaluate(run: RunFolder, metrics: MetricsLog) throws -> [(String, Double)] {
        try evaluation.run(model)
    }

    /// `encoder.safetensors`: the graph encoder under the reference's `encoder.*` names and its
    /// contrastive partner, the image encoder, under `image_encoder.*` (the pair scores graph–image
    /// agreement: `GraphImageScorer`), with the model config, the image encoder's sizes, the
    /// vocabulary and the recipe in the metadata.
    public func finish(run: RunFolder) throws {
        var modelSection = ModelConfiguration.shapes32
        modelSection.encoder = graphConfiguration
        let metadata = ["format": "scene-graph-encoder/1", "config": configurationJSON([modelSection.section]),
                        "image_encoder": model.imageEncoder.configuration.json,
                        "vocab": vocabulary.jsonString(), "recipe": configurationJSON([recipe.section, data.section]),
                        "steps": String(step)]
        let tensors = model.encoder.stateDict(prefix: "encoder.").merging(model.imageEncoder.stateDict(prefix: "image_encoder.")) { a, _ in a }
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: run.url.appendingPathComponent("encoder.safetensors"))
    }
}
