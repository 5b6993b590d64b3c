import GraphEncoder
import NN
import Tensors

extension SceneGraphDiffusion {
    /// `sampleClip` for a model trained to continue clips (`ClipContinuation`): frame 0 drawn alone,
    /// then each window's new frames denoised beside the clean frames before them (timestep 0, as in
    /// training). Guidance stacks whole windows — context frames included, with the null or
    /// objects-only graph like the rest of their copy — since training dropped the graph per clip.
    func sampleContinuedClip(frames graphs: GraphBatch, seed: UInt64, sampler: any Sampler, guidance cfg: ClassifierFreeGuidance,
                             schedule: NoiseSchedule, imageSize: Int,
                             progress: ((_ done: Int, _ total: Int) throws -> Void)?) throws -> Tensor {
        let f = graphs.imageCount
        let plan = ClipContinuation(frames: f, window: unet.maximumFrames, context: configuration.unet.contextFrames)
        return try GradMode.disabled {
            let frameShape = [configuration.unet.inChannels, imageSize, imageSize]
            let perFrame = frameShape.reduce(1, *)
            let conditional = context(graphs)
            let objectsOnly = cfg.needsObjectsOnly ? context(graphs.objectsOnly) : nil
            let steps = sampler.timesteps(schedule: schedule).count
            let total = steps * (1 + plan.windows.count)
            var done = 0
            var generator = RandomGenerator(seed: seed)
            let frameNoise = FrameNoise(correlation: configuration.unet.frameNoiseCorrelation)
            let initial = frameNoise.draw([f] + frameShape, frames: f, using: &generator)
            let clip = Tensor.zeros([f] + frameShape)

            // Draws clip frames `new` beside the finished frames `kept`, writing them into `clip`.
            func draw(new: Range<Int>, kept: Range<Int>) throws {
                let rows = Array(kept) + Array(new)
                var c = conditional.rows(rows)
                if cfg.needsUnconditional { c = .stacked(c, nullContext(batch: rows.count)) }
                if let objectsOnly { c = .stacked(c, objectsOnly.rows(rows)) }
                let unguided = c.leading(rows.count)
                let clean = kept.isEmpty ? nil : clip.slice(axis: 0, kept)
                let epsilon: (Tensor, Int) throws -> Tensor = { x, t in
                    let e = try cfg.epsilon(x, at: t, of: schedule.steps) { input, stacked in
                        let k = stacked ? c : unguided
                        let copies = input.shape[0] / new.count
                        var parts: [Tensor] = []
                        for j in 0..<copies {
                            if let clean { parts.append(clean) }
                            parts.append(input.slice(axis: 0, (j * new.count)..<((j + 1) * new.count)))
                        }
                        let timesteps = (0..<copies).flatMap { _ in [Int](repeating: 0, count: kept.count) + [Int](repeating: t, count: new.count) }
                        let out = self.unet(parts.count == 1 ? parts[0] : concat(parts, axis: 0), timesteps: timesteps,
                                            context: k.tokens, mask: k.mask, global: k.global, frames: rows.count)
                        guard !kept.isEmpty else { return out }
                        return concat((0..<copies).map { j in
                            out.slice(axis: 0, (j * rows.count + kept.count)..<((j + 1) * rows.count))
                        }, axis: 0)
                    }
                    done += 1
                    try progress?(done, total)
                    return e
                }
                var sharedStepNoise: Tensor?
                let x0 = try sampler.sample(initial: initial.slice(axis: 0, new), schedule: schedule, epsilon: epsilon, noise: { i in
                    guard frameNoise.correlation > 0 else { return Tensor.normal(frameShape, using: &generator) }
                    // Each step's fresh noise is correlated across the window's frames like the starting noise.
                    if i == 0 { sharedStepNoise = Tensor.normal(frameShape, using: &generator) }
                    return frameNoise.frame(sharing: sharedStepNoise!, using: &generator)
                })
                let drawn = clampedToImageRange(x0)
                (clip.storage.pointer + new.lowerBound * perFrame).update(from: drawn.storage.pointer, count: drawn.count)
            }

            try draw(new: 0..<1, kept: 0..<0)
            for window in plan.windows { try draw(new: window.new, kept: window.context) }
            return clip
        }
    }
}
