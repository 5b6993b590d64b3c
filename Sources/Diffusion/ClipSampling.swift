import GraphEncoder
import NN
import Tensors

extension SceneGraphDiffusion {
    /// The most frames one clip may have (a video model draws longer clips than its frame
    /// positions in overlapping windows; past this the windows' memory and time stop being a clip's).
    public static let maximumClipFrames = 64

    /// ε for clips: x [clips·F, 3, H, W] with one graph per frame, the frames of a clip consecutive.
    public func callAsFunction(_ x: Tensor, timesteps: [Int], frameGraphs graphs: GraphBatch, frames: Int,
                               record: ActivationRecorder? = nil) -> Tensor {
        let c = context(graphs, record: record)
        return unet(x, timesteps: timesteps, context: c.tokens, mask: c.mask, global: c.global, frames: frames, record: record?.scoped("unet"))
    }

    /// Draws one clip, one frame per graph of `frames` (F = `frames.imageCount` ≤ 64, all denoised
    /// together since the temporal layers attend across them; past the model's frame positions in
    /// overlapping windows, `ClipWindows`): x_0 [F, 3, S, S] in [−1, 1]. All noise comes from
    /// `RandomGenerator(seed:)`, correlated across frames as the model's `frame_noise` says. An image model (no temporal
    /// layers) draws the baseline instead: every frame starts from the same noise and gets the
    /// same per-step noise, so only the graphs tell the frames apart.
    public func sampleClip(frames graphs: GraphBatch, seed: UInt64, sampler: any Sampler, guidance cfg: ClassifierFreeGuidance,
                           schedule: NoiseSchedule,
                           imageSize: Int, progress: ((_ done: Int, _ total: Int) throws -> Void)? = nil) throws -> Tensor {
        let f = graphs.imageCount
        require(f > 0, "a clip needs at least one frame")
        require(f <= Self.maximumClipFrames, "\(f) frames; a clip has at most \(Self.maximumClipFrames)")
        if unet.maximumFrames > 0 && configuration.unet.contextFrames > 0 {
            return try sampleContinuedClip(frames: graphs, seed: seed, sampler: sampler, guidance: cfg, schedule: schedule,
                                           imageSize: imageSize, progress: progress)
        }
        return try GradMode.disabled {
            let frameShape = [configuration.unet.inChannels, imageSize, imageSize]
            let sharedNoise = unet.maximumFrames == 0
            // A clip longer than the frame positions is drawn in overlapping windows; an image
            // model draws frames independently and needs none.
            let windows = ClipWindows(frames: f, window: sharedNoise ? f : unet.maximumFrames)
            func windowed(_ c: DiffusionContext) -> DiffusionContext { windows.isWindowed ? windows.gather(c) : c }
            let rows = windows.isWindowed ? windows.rows.count : f
            // Guidance stacks the null clips, then the objects-only clips, after the conditional ones.
            var c = windowed(context(graphs))
            if cfg.needsUnconditional { c = .stacked(c, nullContext(batch: rows)) }
            if cfg.needsObjectsOnly { c = .stacked(c, windowed(context(graphs.objectsOnly))) }
            let conditional = c.leading(rows)
            let total = sampler.timesteps(schedule: schedule).count
            var done = 0
            let epsilon: (Tensor, Int) throws -> Tensor = { x, t in
                let e = windows.epsilon(x) { clips in
                    cfg.epsilon(clips, at: t, of: schedule.steps) { input, stacked in
                        let k = stacked ? c : conditional
                        return self.unet(input, timesteps: [Int](repeating: t, count: input.shape[0]), context: k.tokens, mask: k.mask,
                                         global: k.global, frames: windows.window)
                    }
                }
                done += 1
                try progress?(done, total)
                return e
            }
            var generator = RandomGenerator(seed: seed)
            let frameNoise = FrameNoise(correlation: configuration.unet.frameNoiseCorrelation)
            let initial: Tensor
            if sharedNoise {
                initial = Tensor.uninitialized([f] + frameShape)
                let perFrame = initial.count / f
                generator.fillNormal(initial.storage.pointer, count: perFrame, std: 1)
                for i in 1..<f { (initial.storage.pointer + i * perFrame).update(from: initial.storage.pointer, count: perFrame) }
            } else {
                initial = frameNoise.draw([f] + frameShape, frames: f, using: &generator)
            }
            var lastNoise: Tensor?
            var sharedStepNoise: Tensor?
            let x0 = try sampler.sample(initial: initial, schedule: schedule, epsilon: epsilon, noise: { i in
                if sharedNoise && i > 0, let lastNoise { return lastNoise }
                if frameNoise.correlation > 0 {
                    // Each step's fresh noise is correlated across the frames like the starting noise.
                    if i == 0 { sharedStepNoise = Tensor.normal(frameShape, using: &generator) }
                    return frameNoise.frame(sharing: sharedStepNoise!, using: &generator)
                }
                let n = Tensor.normal(frameShape, using: &generator)
                lastNoise = n
                return n
            })
            return clampedToImageRange(x0)
        }
    }
}
