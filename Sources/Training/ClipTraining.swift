import RunConfiguration
import RunLogging
import Diffusion
import Foundation
import GraphEncoder
import Media
import NN
import Output
import Pipeline
import SceneGraphs
import ShapeWorld
import Tensors

/// Clip batches for training: `train.batch` ShapeWorld clips of F frames, as [clips·F, 3, S, S]
/// in [−1, 1] (frames of a clip consecutive) with one graph per frame. Clip i of a seed is always
/// the same, so training resumes from `nextIndex`.
struct ShapeWorldClipBatches {
    let renderer: ShapeWorldRenderer
    let seed: UInt64
    let frames: Int
    /// The share of clips drawn again until their relations change (`data.changing_clip_share`).
    var changingShare = 0.0
    var nextIndex = 0

    /// Clip `index` of the stream: the generator's, or — for a share of indices chosen by a hash
    /// of the index, so a resumed run draws the same — the first of its own sub-stream whose
    /// relations change.
    func clip(_ index: Int) -> ShapeWorldClip {
        let plain = renderer.clip(seed: seed, index: index, frames: frames)
        var hash = SplitMix64(seed: UInt64(index) ^ 0xC11F_5EED)
        guard changingShare > 0, hash.unit() < changingShare else { return plain }
        if plain.frames.map(\.graph).relationsChange { return plain }
        for k in 1..<64 {
            let candidate = renderer.clip(seed: seed ^ 0xC11F_5EED, index: index &* 64 &+ k, frames: frames)
            if candidate.frames.map(\.graph).relationsChange { return candidate }
        }
        return plain
    }

    mutating func next(_ clips: Int) -> (pixels: [Float], graphs: [SceneGraph]) {
        let plane = renderer.size * renderer.size
        var pixels: [Float] = []
        pixels.reserveCapacity(clips * frames * 3 * plane)
        var graphs: [SceneGraph] = []
        for _ in 0..<clips {
            for scene in clip(nextIndex).frames {
                graphs.append(scene.graph)
                // Interleaved RGB → planar, as the model takes images.
                for c in 0..<3 { for i in 0..<plane { pixels.append(Float(scene.pixels[3 * i + c]) / 127.5 - 1) } }
            }
            nextIndex += 1
        }
        return (pixels, graphs)
    }
}

/// Training the temporal layers on ShapeWorld clips (docs/video.md): the image model's
/// weights (from `--init`) are frozen and only `…temporal…` parameters learn, with the image
/// recipe — ε-prediction on the cosine schedule, Min-SNR-γ, conditioning dropped per clip with
/// p = cond_drop, AdamW with warmup + cosine, clipping, EMA. `train.batch` counts clips; every
/// frame of a clip shares its timestep.
public final class ClipTraining: TrainingTask {
    public let model: SceneGraphDiffusion
    public let recipe: TrainingConfiguration
    public let data: DataConfiguration
    /// Frames per training clip: the model's frame positions.
    public let frames: Int
    /// The forward process, the image model's: written into the video model's file for sampling.
    public let setup: DiffusionSetup
    public var schedule: NoiseSchedule { pipeline.schedule }
    public let vocabulary = Vocabulary.shapeWorld
    public let kind = "train-clips"
    public private(set) var step = 0
    public var totalSteps: Int { recipe.steps }
    public let plottedLosses = ["train/loss", "train/mse"]
    public let plottedEvaluations = ["eval/relation_accuracy", "eval/identity_kept", "eval/smooth_clips", "eval/changing/smooth_clips"]

    let trained: [(String, Tensor)]
    let optimizer: AdamW
    let ema: ExponentialMovingAverage
    let learningRates: WarmupCosineSchedule
    var rng: RandomGenerator
    var batches: ShapeWorldClipBatches
    /// Held-out clips (data.eval_seed), graphs without boxes, for the evaluation.
    let evaluationClips: [[SceneGraph]]
    /// The model that evaluations sample and `finish` writes: frozen weights plus the EMA temporal ones.
    let samplingModel: SceneGraphDiffusion
    /// Draws the held-out clips from `samplingModel`, as `sample` does.
    let pipeline: DiffusionPipeline
    /// What the image layers came from ("image layers from FILE (its provenance)"); kept in
    /// checkpoints and ending the written model's provenance.
    public var origin: String?

    /// A fresh run from `imageModel` (the image weights to inflate; required unless the run is
    /// about to be restored from a checkpoint, which holds them).
    public init(model configuration: ModelConfiguration, recipe: TrainingConfiguration, data: DataConfiguration,
                imageModel: StartingModel?, restoring: Bool = false) throws {
        guard configuration.unet.frames > 0 else {
            throw ConfigurationError(source: "config", key: "model.frames", message: "clip training needs temporal layers (model.frames: 8)")
        }
        guard configuration.encoder.objectClasses >= vocabulary.objectNames.count,
              configuration.encoder.predicateClasses >= vocabulary.predicateNames.count else {
            throw ConfigurationError(source: "config", key: "model.num_objects",
                                     message: "ShapeWorld needs \(vocabulary.objectNames.count) object and \(vocabulary.predicateNames.count) predicate classes")
        }
        self.recipe = recipe; self.data = data; frames = configuration.unet.frames
        var initRNG = RandomGenerator(seed: recipe.seed)
        model = SceneGraphDiffusion(configuration, rng: &initRNG)
        if let imageModel {
            try model.loadImageWeights(from: imageModel.model, source: imageModel.source)
            origin = "image layers from " + imageModel.lineage
        } else if !restoring {
            throw ConfigurationError(source: "command line", key: "--init", message: "clip training starts from an image model (--init weights/shapes32.safetensors)")
        }
        model.setRequiresGrad(false)
        let named = model.namedParameters()
        trained = named.filter { SceneGraphDiffusion.isTemporal($0.0) }
        for (_, p) in trained { p.requiresGrad = true }
        optimizer = AdamW(namedParameters: trained, learningRate: Float(recipe.learningRate), weightDecay: Float(recipe.weightDecay),
                          decayExempt: OptimizerCheckpoint.decayExempt)
        ema = ExponentialMovingAverage(parameters: trained.map(\.1), decay: Float(recipe.emaDecay))
        learningRates = WarmupCosineSchedule(peak: Float(recipe.learningRate), minimum: Float(recipe.minimumLearningRate),
                                             warmupSteps: min(recipe.warmup, recipe.steps), totalSteps: recipe.steps)
        rng = RandomGenerator(seed: recipe.seed &+ 0x5EED)
        batches = ShapeWorldClipBatches(renderer: data.renderer, seed: data.seed, frames: frames, changingShare: data.changingClipShare)
        let renderer = data.renderer
        evaluationClips = (0..<recipe.evalGraphs).map { i in
            renderer.clip(seed: data.evalSeed, index: i, frames: configuration.unet.frames).frames.map { var g = $0.graph; g.boxes = nil; return g }
        }
        var samplingRNG = RandomGenerator(seed: 0)
        samplingModel = SceneGraphDiffusion(configuration, rng: &samplingRNG)
        setup = DiffusionSetup(imageSize: data.size)
        pipeline = DiffusionPipeline(model: samplingModel, vocabulary: vocabulary, setup: setup)
    }

    public func trainStep() throws -> [(String, Double)] {
        let lr = learningRates.learningRate(at: step)
        optimizer.learningRate = lr
        let clips = recipe.batch, f = frames, n = clips * f
        let (pixels, graphs) = batches.next(clips)
        let graphBatch = try GraphBatch(graphs, vocabulary: vocabulary)
        // Everything before the UNet is frozen: no tape for it.
        var context = GradMode.disabled { model.context(graphBatch) }
        // A clip is conditioned or not as a whole: the null clip is what guidance samples against.
        let keep = (0..<clips).map { _ in rng.nextDouble() >= recipe.conditionDrop }
        context = DenoiserTraining.dropConditions(context, keep: keep.flatMap { [Bool](repeating: $0, count: f) })

        let steps = schedule.steps, noisyShare = recipe.noisyTimestepShare
        // A share of clips noised in the noisier half, where their layout is decided; at share 0
        // the draws are the uniform ones of before, number for number.
        let clipTimesteps = (0..<clips).map { _ in
            noisyShare > 0 && rng.nextDouble() < noisyShare ? steps / 2 + rng.nextInt(below: steps - steps / 2) : rng.nextInt(below: steps)
        }
        let contextFrames = self.contextFrames(clips: clips)
        var timesteps = clipTimesteps.flatMap { [Int](repeating: $0, count: f) }
        var weights = timesteps.map { Float(schedule.x0RaisedWeight($0, gamma: recipe.minSNRGamma, x0Maximum: recipe.x0WeightMax)) }
        let x0 = Tensor(shape: [n, model.configuration.unet.inChannels, data.size, data.size], scalars: pixels)
        let noise = FrameNoise(correlation: model.configuration.unet.frameNoiseCorrelation).draw(x0.shape, frames: f, using: &rng)
        let noisy = DenoiserTraining.noised(x0, noise: noise, timesteps: timesteps, schedule: schedule)
        // Context frames go in clean at timestep 0, exactly as sampling passes the frames it drew.
        let perFrame = x0.count / n
        for (clip, kept) in contextFrames.enumerated() {
            for frame in kept.map({ clip * f + $0 }) {
                timesteps[frame] = 0; weights[frame] = 0
                (noisy.storage.pointer + frame * perFrame).update(from: x0.storage.pointer + frame * perFrame, count: perFrame)
            }
        }
        let eps = model.unet(noisy, timesteps: timesteps, context: context.tokens, mask: context.mask, global: context.global, frames: f)
        let loss = weightedMSELoss(eps, noise, exampleWeights: weights)
        // Over the noised frames only: a context frame's ε is never asked for.
        let noised = weights.map { $0 > 0 ? Float(1) : 0 }, noisedCount = noised.reduce(0, +)
        let mse = GradMode.disabled { weightedMSELoss(eps, noise, exampleWeights: noised).item * Float(n) / max(noisedCount, 1) }
        let gradientNorm = try DenoiserTraining.applyGradients(of: loss, to: trained.map(\.1), optimizer: optimizer, ema: ema, recipe: recipe, step: step)
        step += 1
        return [("loss", Double(loss.item)), ("mse", Double(mse)), ("lr", Double(lr)), ("grad_norm", Double(gradientNorm))]
    }

    /// The frames of each clip given clean: none unless the model continues clips; then both ends
    /// for a share of clips (`keyframe_clip_share`), the first 1…F−1 for another
    /// (`context_clip_share`). At a keyframe share of 0 the draws are those of before, number for
    /// number, so older runs resume exactly.
    func contextFrames(clips: Int) -> [[Int]] {
        guard model.configuration.unet.contextFrames > 0, recipe.contextClipShare + recipe.keyframeClipShare > 0 else {
            return [[Int]](repeating: [], count: clips)
        }
        return (0..<clips).map { _ in
            let u = rng.nextDouble()
            if u < recipe.keyframeClipShare { return [0, frames - 1] }
            return u < recipe.keyframeClipShare + recipe.contextClipShare ? Array(0..<(1 + rng.nextInt(below: frames - 1))) : []
        }
    }

    public func checkpointState() -> [String: SafeTensor] {
        var state = OptimizerCheckpoint.state(model: model, optimizer: optimizer, rng: rng, dataIndex: batches.nextIndex, step: step)
        for ((name, _), average) in zip(trained, ema.averages) { state["ema." + name] = SafeTensor(shape: average.shape, data: .f32(average.scalars)) }
        return state
    }

    public func restore(from file: SafeTensorsFile, source: String) throws {
        try loadTensors(ema.averages, names: trained.map { "ema." + $0.0 }, from: file, source: source)
        (rng, batches.nextIndex, step) = try OptimizerCheckpoint.restore(from: file, source: source, model: model, optimizer: optimizer)
    }

    /// Copies the frozen weights and the EMA temporal weights into the sampling model.
    func loadSamplingWeights() {
        for (p, q) in zip(samplingModel.parameters, model.parameters) { p.storage.pointer.update(from: q.storage.pointer, count: q.count) }
        let sampling = Dictionary(uniqueKeysWithValues: samplingModel.namedParameters())
        ema.copyAverages(into: trained.map { sampling[$0.0]! })
    }

    /// Samples every held-out clip, scores it with the clip checker and writes a strip of the first clips.
    public func evaluate(run: RunFolder, metrics: MetricsLog) throws -> [(String, Double)] {
        guard !evaluationClips.isEmpty else { return [] }
        let start = Date()
        loadSamplingWeights()
        // Plain guidance at every step, as every learning curve so far was measured, whatever `sample`'s defaults become.
        let settings = SampleSettings(sampler: try SamplerKind(name: recipe.evalSampler, steps: recipe.evalSteps), guidance: recipe.evalGuidance, seed: 0,
                                      relationGuidance: 0, guidanceCutoff: 0, objectGuidance: 0)
        var figures = ClipReport()
        var rows: [ByteImage] = []
        for (i, graphs) in evaluationClips.enumerated() {
            let images = try pipeline.clip(graphs, seed: UInt64(i), settings: settings)
            figures.add(SceneChecker().check(clip: images.map(\.pixels), width: data.size, height: data.size, graphs: graphs))
            if i < 4 { rows += images }
        }
        let strip = try ByteImage.grid(rows, columns: frames).upscaled(by: 2)
        try FileManager.default.createDirectory(at: run.samples, withIntermediateDirectories: true)
        let png = try PNGCodec.encode(strip)
        try AtomicFile.write(png, to: run.samples.appendingPathComponent(String(format: "clips-step-%08d.png", step)))
        try metrics.logImage(step: step, tag: "clips", png: png)
        let all = figures.all, changing = figures.changing
        return [("recall", all.objectRecall), ("relation_accuracy", all.relationAccuracy), ("identity_kept", all.identityRate),
                ("motion_consistency", all.motionConsistency), ("smooth_clips", all.smoothRate), ("flicker", all.flicker),
                ("changing/clips", Double(changing.clips)), ("changing/relation_accuracy", changing.relationAccuracy),
                ("changing/identity_kept", changing.identityRate), ("changing/smooth_clips", changing.smoothRate),
                ("seconds", Date().timeIntervalSince(start))]
    }

    /// The video model: frozen image weights and EMA temporal weights, with the resolved config,
    /// the vocabulary and the recipe in the metadata.
    public func finish(run: RunFolder) throws {
        loadSamplingWeights()
        try ModelFile.write(samplingModel, vocabulary: vocabulary, setup: setup, recipe: configurationJSON([recipe.section, data.section]), steps: step,
                            to: run.url.appendingPathComponent("model.safetensors"),
                            provenance: "temporal layers trained with this project's `train` on ShapeWorld clips, \(step) steps; EMA weights",
                            origin: origin)
    }
}
