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

/// Training the denoiser on ShapeWorld (docs/training.md): ε-prediction on the cosine
/// schedule, Min-SNR-γ weights, the graph dropped to the null graph with p = cond_drop for
/// guidance, AdamW with warmup + cosine, gradient clipping, and an EMA of the weights for sampling.
public final class DenoiserTraining: TrainingTask {
    public let model: SceneGraphDiffusion
    public let recipe: TrainingConfiguration
    public let data: DataConfiguration
    /// The forward process the model learns to undo, written into its file for sampling.
    public var setup: DiffusionSetup { evaluation.pipeline.setup }
    public var schedule: NoiseSchedule { evaluation.pipeline.schedule }
    public let vocabulary: Vocabulary
    public let kind = "train"
    public private(set) var step = 0
    public var totalSteps: Int { recipe.steps }
    public let plottedLosses = ["train/loss", "train/mse"]
    public let plottedEvaluations = ["eval/recall", "eval/relation_accuracy", "eval/graph_accuracy", "eval/recall_gap"]

    let named: [(String, Tensor)]
    let trained: [(String, Tensor)]
    let optimizer: AdamW
    let ema: ExponentialMovingAverage
    let learningRates: WarmupCosineSchedule
    var rng: RandomGenerator
    var batches: ShapeWorldBatches
    /// The prepared data set's stream when the run reads one (`data.pack`); `batches` is then unused.
    var packed: PackedBatches?
    public let evaluation: DenoiserEvaluation
    /// The ranks this run's global batch is split over (one by default).
    public var parallel = DataParallel.single
    /// What the run's weights started from ("continued from FILE (its provenance)", "graph encoder
    /// from FILE"); kept in checkpoints and ending the written model's provenance.
    public var origin: String?

    /// A fresh run. `encoderWeights` (a pretrain run's encoder.safetensors) is required for the
    /// frozen and finetune modes and refused for scratch — unless the run is about to be restored
    /// from a checkpoint, which holds the encoder too, or starts from `initialModel` (a model file
    /// whose weights, encoder included, the run continues from with a fresh optimizer and schedule).
    public init(model configuration: ModelConfiguration, recipe: TrainingConfiguration, data: DataConfiguration,
                encoderWeights: (file: SafeTensorsFile, source: String)? = nil,
                initialModel: StartingModel? = nil, restoring: Bool = false) throws {
        let source = try TrainingData(data)
        vocabulary = source.vocabulary
        try source.check(objectClasses: configuration.encoder.objectClasses, predicateClasses: configuration.encoder.predicateClasses)
        self.recipe = recipe; self.data = data
        var initRNG = RandomGenerator(seed: recipe.seed)
        model = SceneGraphDiffusion(configuration, rng: &initRNG)
        if let initialModel {
            if let w = encoderWeights {
                throw ConfigurationError(source: w.source, key: "--encoder", message: "--init \(initialModel.source) already holds the encoder; give one of the two")
            }
            if recipe.encoder == .scratch {
                throw ConfigurationError(source: "config", key: "train.encoder",
                                         message: "--init continues a model's encoder: use train.encoder=frozen or finetune, not scratch")
            }
            try model.loadImageWeights(from: initialModel.model, source: initialModel.source)
            origin = "continued from " + initialModel.lineage
        }
        switch (recipe.encoder, encoderWeights) {
        case _ where initialModel != nil: break
        case (.scratch, nil): break
        case (_, nil) where restoring: break
        case (.scratch, .some(let w)):
            throw ConfigurationError(source: w.source, key: "train.encoder", message: "an encoder was given but train.encoder is scratch (use frozen or finetune)")
        case (_, nil):
            throw ConfigurationError(source: "config", key: "train.encoder", message: "\(recipe.encoder.rawValue) needs a pretrained encoder (--encoder encoder.safetensors)")
        case (_, .some(let w)):
            try model.encoder.loadParameters(from: w.file, prefix: "encoder.", source: w.source)
            let pretrainingSteps = w.file.metadata["format"] == "scene-graph-encoder/1" ? w.file.metadata["steps"] : nil
            origin = "graph encoder from \(w.source)" + (pretrainingSteps.map { ", pretrained \($0) steps" } ?? "")
        }
        if recipe.encoder == .frozen { model.encoder.setRequiresGrad(false) }
        named = model.namedParameters()
        trained = named.filter { $0.1.requiresGrad }
        optimizer = AdamW(namedParameters: trained, learningRate: Float(recipe.learningRate), weightDecay: Float(recipe.weightDecay),
                          decayExempt: OptimizerCheckpoint.decayExempt)
        ema = ExponentialMovingAverage(parameters: named.map(\.1), decay: Float(recipe.emaDecay))
        learningRates = WarmupCosineSchedule(peak: Float(recipe.learningRate), minimum: Float(recipe.minimumLearningRate),
                                             warmupSteps: min(recipe.warmup, recipe.steps), totalSteps: recipe.steps)
        rng = RandomGenerator(seed: recipe.seed &+ 0x5EED)
        batches = ShapeWorldBatches(renderer: data.renderer, seed: data.seed)
        packed = source.packedBatches()
        evaluation = try DenoiserEvaluation(configuration: configuration, recipe: recipe, data: data, vocabulary: vocabulary,
                                            heldOut: source.heldOut(recipe.evalGraphs))
    }

    public func trainStep() throws -> [(String, Double)] {
        let lr = learningRates.learningRate(at: step)
        optimizer.learningRate = lr
        // This rank's block of the global batch; random draws are made for the whole batch.
        let total = recipe.batch, share = parallel.share(of: total), b = share.count
        batches.renderer.maxObjects = data.maxObjects(atStep: step)
        let (pixels, graphs) = packed != nil ? packed!.next(share, of: total) : batches.next(share, of: total)
        let graphBatch = try GraphBatch(graphs, vocabulary: vocabulary)
        let encoding = recipe.encoder == .frozen ? GradMode.disabled { model.encoder(graphBatch) } : model.encoder(graphBatch)
        var context = model.context(from: encoding)
        context = dropConditions(context, share: share, of: total)

        let timesteps = Array((0..<total).map { _ in rng.nextInt(below: schedule.steps) }[share])
        let x0 = Tensor(shape: [b, model.configuration.unet.inChannels, data.size, data.size], scalars: pixels)
        let noise = examples(Tensor.normal([total] + x0.shape.dropFirst(), using: &rng), share)
        let noisy = Self.noised(x0, noise: noise, timesteps: timesteps, schedule: schedule)
        let eps = model.unet(noisy, timesteps: timesteps, context: context.tokens, mask: context.mask, global: context.global)
        let weights = timesteps.map { Float(schedule.minSNRWeight($0, gamma: recipe.minSNRGamma)) }
        let loss = weightedMSELoss(eps, noise, exampleWeights: weights)
        let mse = GradMode.disabled { mseLoss(eps, noise).item }

        let gradientNorm = try Self.applyGradients(of: loss, to: trained.map(\.1), optimizer: optimizer, ema: ema, recipe: recipe, step: step,
                                                   parallel: parallel)
        step += 1
        return [("loss", Double(loss.item)), ("mse", Double(mse)), ("lr", Double(lr)), ("grad_norm", Double(gradientNorm))]
    }

    /// Backward, gradient clipping, the AdamW step and the EMA update (shared with `ClipTraining`);
    /// returns the gradient norm before clipping.
    static func applyGradients(of loss: Tensor, to trained: [Tensor], optimizer: AdamW, ema: ExponentialMovingAverage,
                               recipe: TrainingConfiguration, step: Int, parallel: DataParallel = .single) throws -> Float {
        for p in trained { p.grad = nil }
        loss.backward()
        // Under mpirun every rank holds its share's gradients: average them before clipping.
        try parallel.averageGradients(trained)
        let gradientNorm = clipGradientNorm(trained, maxNorm: Float(recipe.gradientClip))
        optimizer.update()
        // EMA warm-up: early averages would otherwise be dominated by the random initialisation.
        let decay = min(Float(recipe.emaDecay), Float(1 + step) / Float(10 + step))
        ema.update(decay: decay)
        return gradientNorm
    }

    /// x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, per example (shared with `ClipTraining`).
    static func noised(_ x0: Tensor, noise: Tensor, timesteps: [Int], schedule: NoiseSchedule) -> Tensor {
        let out = Tensor.uninitialized(x0.shape)
        let per = x0.count / timesteps.count
        let xp = x0.storage.pointer, np = noise.storage.pointer, op = out.storage.pointer
        for (i, t) in timesteps.enumerated() {
            let a = Float(schedule.signal(t)), s = Float(schedule.noise(t))
            for j in (i * per)..<((i + 1) * per) { op[j] = a * xp[j] + s * np[j] }
        }
        return out
    }

    /// Replaces each example's graph by the null graph with probability cond_drop (zero tokens,
    /// only the global slot unmasked, zero global), so the model also learns the unconditional ε.
    /// Draws for all `total` examples of the global batch and applies those of `share`.
    func dropConditions(_ c: DiffusionContext, share: Range<Int>, of total: Int) -> DiffusionContext {
        Self.dropConditions(c, keep: Array((0..<total).map { _ in rng.nextDouble() >= recipe.conditionDrop }[share]))
    }

    /// The context with example i replaced by the null graph where `keep[i]` is false (shared with `ClipTraining`).
    static func dropConditions(_ c: DiffusionContext, keep: [Bool]) -> DiffusionContext {
        let b = keep.count
        guard keep.contains(false) else { return c }
        let tokens = c.tokens.shape[1]
        let keepTokens = Tensor(shape: [b, 1, 1], scalars: keep.map { $0 ? 1 : 0 })
        let keepGlobal = Tensor(shape: [b, 1], scalars: keep.map { $0 ? 1 : 0 })
        var mask = c.mask
        for i in 0..<b where !keep[i] {
            for j in 0..<tokens { mask[i * tokens + j] = j == tokens - 1 }
        }
        return DiffusionContext(tokens: c.tokens * keepTokens, mask: mask, global: c.global * keepGlobal)
    }

    public func checkpointState() -> [String: SafeTensor] {
        var state = OptimizerCheckpoint.state(model: model, optimizer: optimizer, rng: rng, dataIndex: packed?.nextIndex ?? batches.nextIndex, step: step)
        for ((name, _), average) in zip(named, ema.averages) { state["ema." + name] = SafeTensor(shape: average.shape, data: .f32(average.scalars)) }
        return state
    }

    public func restore(from file: SafeTensorsFile, source: String) throws {
        try loadTensors(ema.averages, names: named.map { "ema." + $0.0 }, from: file, source: source)
        (rng, batches.nextIndex, step) = try OptimizerCheckpoint.restore(from: file, source: source, model: model, optimizer: optimizer)
        packed?.nextIndex = batches.nextIndex
    }

    public func evaluate(run: RunFolder, metrics: MetricsLog) throws -> [(String, Double)] {
        evaluation.load(ema)
        return try evaluation.run(step: step, folder: run, metrics: metrics)
    }

    /// The sampling weights: the EMA parameters under the reference's names, with the resolved
    /// config, the vocabulary and the recipe in the metadata.
    public func finish(run: RunFolder) throws {
        evaluation.load(ema)
        try ModelFile.write(evaluation.model, vocabulary: vocabulary, setup: setup,
                            recipe: configurationJSON([recipe.section, data.section]), steps: step,
                            to: run.url.appendingPathComponent("model.safetensors"), origin: origin)
    }
}

/// Copies F32 entries into existing tensors by name, checking every name and shape first.
func loadTensors(_ targets: [Tensor], names: [String], from file: SafeTensorsFile, source: String) throws {
    var problems: [String] = []
    var values: [(Tensor, [Float])] = []
    for (t, name) in zip(targets, names) {
        guard let stored = file.tensors[name], case .f32(let v) = stored.data else { problems.append("\(name): missing or not F32"); continue }
        guard stored.shape == t.shape else { problems.append("\(name): shape \(stored.shape), expected \(t.shape)"); continue }
        values.append((t, v))
    }
    guard problems.isEmpty else {
        throw CheckpointError(path: source, message: "checkpoint does not match: " + problems.prefix(8).joined(separator: "; ") +
                              (problems.count > 8 ? " (+\(problems.count - 8) more)" : ""))
    }
    for (t, v) in values { v.withUnsafeBufferPointer { t.storage.pointer.update(from: $0.baseAddress!, count: v.count) } }
}

extension DataConfiguration {
    /// The ShapeWorld renderer for these settings.
    public var renderer: ShapeWorldRenderer {
        ShapeWorldRenderer(size: size, minObjects: minObjects, maxObjects: maxObjects, nestedProbability: nested)
    }
}
