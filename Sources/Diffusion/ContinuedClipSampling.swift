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
        let plan = ClipContinuation(frames: f, window: unet.maximumFrames, context: configuration.unet.contextFrames,
                                    keyframes: configuration.unet.keyframes)
        return try GradMode.disabled {
            let frameShape = [configuration.unet.inChannels, imageSize, imageSize]
            let perFrame = frameShape.reduce(1, *)
            let conditional = context(graphs)
            let objectsOnly = cfg.needsObjectsOnly ? context(graphs.objectsOnly) : nil
            let steps = sampler.timesteps(schedule: schedule).count
            let total = steps * (plan.alone.count + plan.windows.count)
            var done = 0
            var generator = RandomGenerator(seed: seed)
            let frameNoise = FrameNoise(correlation: configuration.unet.frameNoiseCorrelation)
            let initial = frameNoise.draw([f] + frameShape, frames: f, using: &generator)
            let clip = Tensor.zeros([f] + frameShape)

            // Draws clip frames `new` beside the finished frames `kept`, writing them into `clip`.
            func draw(new: [Int], kept: [Int]) throws {
                let rows = (kept + new).sorted()
                var c = conditional.rows(rows)
                if cfg.needsUnconditional { c = .stacked(c, nullContext(batch: rows.count)) }
                if let objectsOnly { c = .stacked(c, objectsOnly.rows(rows)) }
                let unguided = c.leading(rows.count)
                let keptRows = Set(kept)
                // Where each window row comes from: a clean frame of the clip, or row i of the new frames.
                let newIndex = Dictionary(uniqueKeysWithValues: new.enumerated().map { ($1, $0) })
                let newPositions = rows.indices.filter { !keptRows.contains(rows[$0]) }
                let epsilon: (Tensor, Int) throws -> Tensor = { x, t in
                    let e = try cfg.epsilon(x, at: t, of: schedule.steps) { input, stacked in
                        let k = stacked ? c : unguided
                        let copies = input.shape[0] / new.count
                        let window = Tensor.uninitialized([copies * rows.count] + frameShape)
                        var timesteps: [Int] = []
                        for j in 0..<copies {
                            for (r, frame) in rows.enumerated() {
                                let source = keptRows.contains(frame) ? clip.storage.pointer + frame * perFrame
                                                                      : input.storage.pointer + (j * new.count + newIndex[frame]!) * perFrame
                                (window.storage.pointer + (j * rows.count + r) * perFrame).update(from: source, count: perFrame)
                                timesteps.append(keptRows.contains(frame) ? 0 : t)
                            }
                        }
                        let out = self.unet(window, timesteps: timesteps, context: k.tokens, mask: k.mask, global: k.global, frames: rows.count)
                        guard !kept.isEmpty else { return out }
                        return indexSelect(out, (0..<copies).flatMap { j in newPositions.map { j * rows.count + $0 } })
                    }
                    done += 1
                    try progress?(done, total)
                    return e
                }
                var sharedStepNoise: Tensor?
                let x0 = try sampler.sample(initial: indexSelect(initial, new), schedule: schedule, epsilon: epsilon, noise: { i in
                    guard frameNoise.correlation > 0 else { return Tensor.normal(frameShape, using: &generator) }
                    // Each step's fresh noise is correlated across the window's frames like the starting noise.
                    if i == 0 { sharedStepNoise = Tensor.normal(frameShape, using: &generator) }
                    return frameNoise.frame(sharing: sharedStepNoise!, using: &generator)
                })
                let drawn = clampedToImageRange(x0)
                for (i, frame) in new.enumerated() {
                    (clip.storage.pointer + frame * perFrame).update(from: drawn.storage.pointer + i * perFrame, count: perFrame)
                }
            }

            for frame in plan.alone { try draw(new: [frame], kept: []) }
            for window in plan.windows { try draw(new: window.new, kept: window.kept) }
            return clip
        }
    }
}
