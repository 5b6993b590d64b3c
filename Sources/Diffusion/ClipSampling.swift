import GraphEncoder
import NN
import Tensors

extension SceneGraphDiffusion {
    /// ε for clips: x [clips·F, 3, H, W] with one graph per frame, the frames of a clip consecutive.
    public func callAsFunction(_ x: Tensor, timesteps: [Int], frameGraphs graphs: GraphBatch, frames: Int,
                               record: ActivationRecorder? = nil) -> Tensor {
        let c = context(graphs, record: record)
        return unet(x, timesteps: timesteps, context: c.tokens, mask: c.mask, global: c.global, frames: frames, record: record?.scoped("unet"))
    }

    /// Draws one clip, one frame per graph of `frames` (F = `frames.imageCount`, all denoised
    /// together since the temporal layers attend across them): x_0 [F, 3, S, S] in [−1, 1]. All
    /// noise comes from `RandomGenerator(seed:)`, frame after frame. An image model (no temporal
    /// layers) draws the baseline instead: every frame starts from the same noise and gets the
    /// same per-step noise, so only the graphs tell the frames apart.
    public func sampleClip(frames graphs: GraphBatch, seed: UInt64, sampler: any Sampler, guidance: Double, schedule: NoiseSchedule,
                           imageSize: Int, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) -> Tensor {
        let f = graphs.imageCount
        require(f > 0, "a clip needs at least one frame")
        require(unet.maximumFrames == 0 || f <= unet.maximumFrames, "\(f) frames; the model's positions cover \(unet.maximumFrames)")
        return GradMode.disabled {
            let frameShape = [configuration.unet.inChannels, imageSize, imageSize]
            let sharedNoise = unet.maximumFrames == 0
            let cfg = ClassifierFreeGuidance(scale: guidance)
            let conditional = context(graphs)
            // Guidance stacks the null clip after the conditional one: 2 clips of F frames.
            let c = cfg.needsUnconditional ? DiffusionContext.stacked(conditional, nullContext(batch: f)) : conditional
            let total = sampler.timesteps(schedule: schedule).count
            var done = 0
            let epsilon: (Tensor, Int) -> Tensor = { x, t in
                let e = cfg.epsilon(x) { input in
                    self.unet(input, timesteps: [Int](repeating: t, count: input.shape[0]), context: c.tokens, mask: c.mask,
                              global: c.global, frames: f)
                }
                done += 1
                progress?(done, total)
                return e
            }
            var generator = RandomGenerator(seed: seed)
            let initial = Tensor.uninitialized([f] + frameShape)
            let perFrame = initial.count / f
            generator.fillNormal(initial.storage.pointer, count: sharedNoise ? perFrame : initial.count, std: 1)
            if sharedNoise { for i in 1..<f { (initial.storage.pointer + i * perFrame).update(from: initial.storage.pointer, count: perFrame) } }
            var lastNoise: Tensor?
            let x0 = sampler.sample(initial: initial, schedule: schedule, epsilon: epsilon, noise: { i in
                if sharedNoise && i > 0, let lastNoise { return lastNoise }
                let n = Tensor.normal(frameShape, using: &generator)
                lastNoise = n
                return n
            })
            return clampedToImageRange(x0)
        }
    }
}
