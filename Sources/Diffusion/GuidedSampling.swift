import GraphEncoder
import Tensors

/// How `SceneGraphDiffusion.sample` groups images into model calls.
public enum SampleBatching: Sendable, Equatable {
    /// One encoder call per graph and one UNet call per image (its conditional and null-graph rows
    /// together), so an image is bit-for-bit the same in any batch. Needed because BLAS rounds a row
    /// of a product differently depending on how many rows it shares the call with (OpenBLAS's
    /// edge-tile and small-matrix kernels: ~1e-6 in ε, measured) — seeds alone cannot fix that.
    case perImage
    /// One encoder call and one UNet call for the whole batch: faster, but an image may differ from
    /// the same seed sampled alone in the last bits.
    case wholeBatch
}

extension SceneGraphDiffusion {
    /// Draws one image per graph: x_0 [B, 3, S, S] in [−1, 1]. Image i's initial and per-step noise come
    /// from `RandomGenerator(seed: seeds[i])` alone; with `.perImage` batching it is the same image in any batch.
    /// `progress(done, total)` is called after each denoising step (for progress bars); an error it
    /// throws (a cancelled request) stops sampling at that step and is rethrown.
    public func sample(graphs: GraphBatch, seeds: [UInt64], sampler: any Sampler, guidance cfg: ClassifierFreeGuidance,
                       schedule: NoiseSchedule, imageSize: Int, batching: SampleBatching = .perImage,
                       progress: ((_ done: Int, _ total: Int) throws -> Void)? = nil) throws -> Tensor {
        require(seeds.count == graphs.imageCount, "\(seeds.count) seeds for \(graphs.imageCount) graphs")
        require(graphs.imageCount > 0, "nothing to sample: the batch has no graphs")
        require(imageSize > 0, "image size must be positive")
        return try GradMode.disabled {
            let batch = graphs.imageCount
            let imageShape = [configuration.unet.inChannels, imageSize, imageSize]
            // Contexts do not change between steps: encode the graphs once.
            func guidedContext(_ g: GraphBatch) -> DiffusionContext { self.guidedContext(g, guidance: cfg) }
            let slots = cfg.objectScale > 0 ? Self.objectSlots(graphs, maxTriples: configuration.encoder.maxTriples) : []
            // ε of the images `images` (x holds just them) from their stacked guided contexts and the conditional rows of those.
            func guidedEpsilon(_ x: Tensor, t: Int, stacked c: DiffusionContext, conditional: DiffusionContext, images: Range<Int>) -> Tensor {
                func denoise(_ k: DiffusionContext) -> (Tensor) -> Tensor {
                    { input in self.unet(input, timesteps: [Int](repeating: t, count: input.shape[0]), context: k.tokens, mask: k.mask, global: k.global) }
                }
                guard cfg.guidesObjects(t, of: schedule.steps) else {
                    return cfg.epsilon(x, at: t, of: schedule.steps) { denoise($1 ? c : conditional)($0) }
                }
                // The object-guidance pass yields the conditional ε too: the denoiser runs only the other rows.
                let (e, gradient) = objectGuidance(x, t: t, context: conditional, slots: Array(slots[images]))
                let guided = cfg.epsilon(x, conditional: e) { denoise(c.rows(Array(images.count..<(cfg.copies * images.count))))($0) }
                let s = Float(cfg.objectScale * schedule.noise(t))
                guided.withMutableData { o in gradient.withData { g in for i in 0..<o.count { o[i] += s * g[i] } } }
                return guided
            }
            let epsilon: (Tensor, Int) -> Tensor
            switch batching {
            case .wholeBatch:
                let c = guidedContext(graphs)
                let conditional = c.leading(batch)
                epsilon = { x, t in guidedEpsilon(x, t: t, stacked: c, conditional: conditional, images: 0..<batch) }
            case .perImage:
                let contexts = (0..<batch).map { guidedContext(graphs.image($0)) }
                let conditionals = contexts.map { $0.leading(1) }
                epsilon = { x, t in
                    let out = Tensor.uninitialized(x.shape)
                    let perImage = x.count / batch
                    // The images go to separate cores, each UNet call on one: a batch-1 call's kernels
                    // are too small to split well (two single-thread processes drew 1.7× the images of
                    // one two-thread process, DDPM on the 2-core Zen 3 machine). The kernels inside run
                    // inline at their usual chunk boundaries, so an image keeps its bits. Grad mode is
                    // task-local and a pool worker is no task: disable it again there.
                    parallelChunks(batch) { images in
                        GradMode.disabled {
                            for i in images {
                                let e = guidedEpsilon(x.slice(axis: 0, i..<(i + 1)), t: t, stacked: contexts[i], conditional: conditionals[i],
                                                      images: i..<(i + 1))
                                (out.storage.pointer + i * perImage).update(from: e.storage.pointer, count: perImage)
                            }
                        }
                    }
                    return out
                }
            }
            let total = sampler.timesteps(schedule: schedule).count
            var done = 0
            let reportingEpsilon: (Tensor, Int) throws -> Tensor = { x, t in
                let e = epsilon(x, t)
                done += 1
                try progress?(done, total)
                return e
            }
            var generators = seeds.map { RandomGenerator(seed: $0) }
            let initial = Tensor.uninitialized([batch] + imageShape)
            let perImage = initial.count / max(batch, 1)
            for i in 0..<batch { generators[i].fillNormal(initial.storage.pointer + i * perImage, count: perImage, std: 1) }
            let x0 = try sampler.sample(initial: initial, schedule: schedule, epsilon: reportingEpsilon,
                                    noise: { i in Tensor.normal(imageShape, using: &generators[i]) })
            return clampedToImageRange(x0)
        }
    }
}

extension SceneGraphDiffusion {
    /// The contexts one guided denoiser call needs, stacked in `ClassifierFreeGuidance`'s order: the
    /// graphs', then the null graph's, then the objects-only graphs' (each only when used).
    func guidedContext(_ g: GraphBatch, guidance cfg: ClassifierFreeGuidance) -> DiffusionContext {
        var c = context(g)
        if cfg.needsUnconditional { c = .stacked(c, nullContext(batch: g.imageCount)) }
        if cfg.needsObjectsOnly { c = .stacked(c, context(g.objectsOnly)) }
        return c
    }
}

extension GraphBatch {
    /// Image `index` of the batch as a batch of one, object indices renumbered from 0.
    public func image(_ index: Int) -> GraphBatch {
        require(index >= 0 && index < imageCount, "image \(index) of a batch of \(imageCount)")
        var renumbered = [Int](repeating: -1, count: objects.count)
        var kept: [Int] = []
        for (o, image) in objectToImage.enumerated() where image == index {
            renumbered[o] = kept.count
            kept.append(objects[o])
        }
        var keptTriples: [Int] = []
        for (t, image) in tripleToImage.enumerated() where image == index {
            keptTriples += [renumbered[triples[3 * t]], triples[3 * t + 1], renumbered[triples[3 * t + 2]]]
        }
        return GraphBatch(objects: kept, triples: keptTriples, objectToImage: [Int](repeating: 0, count: kept.count),
                          tripleToImage: [Int](repeating: 0, count: keptTriples.count / 3), imageCount: 1)
    }
}

/// x clamped to [−1, 1]: samplers with clipping off may overshoot the image range slightly.
func clampedToImageRange(_ x: Tensor) -> Tensor {
    let out = Tensor.uninitialized(x.shape)
    let n = x.count
    x.withData { xs in out.withMutableData { o in for i in 0..<n { o[i] = min(max(xs[i], -1), 1) } } }
    return out
}
