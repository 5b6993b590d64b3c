import GraphEncoder
import Tensors

extension SceneGraphDiffusion {
    /// Draws one image per graph: x_0 [B, 3, S, S] in [−1, 1]. Image i's initial and per-step noise come
    /// from `RandomGenerator(seed: seeds[i])` alone, so it is the same image in any batch.
    public func sample(graphs: GraphBatch, seeds: [UInt64], sampler: any Sampler, guidance: Double, schedule: NoiseSchedule,
                       imageSize: Int) -> Tensor {
        precondition(seeds.count == graphs.imageCount, "\(seeds.count) seeds for \(graphs.imageCount) graphs")
        precondition(imageSize > 0, "image size must be positive")
        return GradMode.disabled {
            let batch = graphs.imageCount
            let imageShape = [configuration.unet.inChannels, imageSize, imageSize]
            let cfg = ClassifierFreeGuidance(scale: guidance)
            // The context does not change between steps: encode the graphs once.
            let conditional = context(graphs)
            let guided = cfg.needsUnconditional ? DiffusionContext.stacked(conditional, nullContext(batch: batch)) : conditional
            var generators = seeds.map { RandomGenerator(seed: $0) }
            let initial = Tensor.uninitialized([batch] + imageShape)
            let perImage = initial.count / max(batch, 1)
            initial.withMutableData { p in
                for i in 0..<batch { generators[i].fillNormal(p.baseAddress! + i * perImage, count: perImage, std: 1) }
            }
            let x0 = sampler.sample(
                initial: initial, schedule: schedule,
                epsilon: { x, t in
                    cfg.epsilon(x) { input in
                        unet(input, timesteps: [Int](repeating: t, count: input.shape[0]), context: guided.tokens, mask: guided.mask,
                             global: guided.global)
                    }
                },
                noise: { i in Tensor.normal(imageShape, using: &generators[i]) })
            return clampedToImageRange(x0)
        }
    }
}

/// x clamped to [−1, 1]: samplers with clipping off may overshoot the image range slightly.
func clampedToImageRange(_ x: Tensor) -> Tensor {
    let out = Tensor.uninitialized(x.shape)
    let n = x.count
    x.withData { xs in out.withMutableData { o in for i in 0..<n { o[i] = min(max(xs[i], -1), 1) } } }
    return out
}
