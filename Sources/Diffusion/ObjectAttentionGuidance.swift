import GraphEncoder
import NN
import Tensors

// Object guidance: Attend-and-Excite (Chefer et al., arXiv 2301.13826) for scene graphs. Crowded
// scenes lose objects — one is left out, or two merge — and every relation that names a lost
// object fails with it. Each object has its own context token (its `__in_image__` triple), and
// the cross-attention of the finest attention level (16×16 in a 32×32 model) puts that token's
// weight where the object is being drawn, from the first, noisiest steps on. The loss rewards the
// peak of every object's map; its gradient with respect to x_t enters ε like classifier guidance
// (ε += o·σ_t·∇ₓL), at the guided steps only, where the layout is decided.
//   maps  A[b, n, m] = mean over heads and finest-level blocks of softmax(q·kᵀ/√dh + mask)
//   peak  P(a) = Σₙ aₙ·softmax(a/τ)ₙ (a soft maximum over the n positions; τ = 0.02)
//   L     = −Σ_objects P(A[b, :, slot of the object's token])

extension SceneGraphDiffusion {
    /// The temperature of the soft maximum over positions: below the maps' typical peak (0.1–0.5).
    static let objectPeakTemperature: Float = 0.02

    /// The context slots of each image's real objects' `__in_image__` tokens (the encoder's slot of
    /// a triple is its place among the image's triples; triples past `max_triples` have none).
    public static func objectSlots(_ graphs: GraphBatch, maxTriples: Int) -> [[Int]] {
        var slots = [[Int]](repeating: [], count: graphs.imageCount)
        var filled = [Int](repeating: 0, count: graphs.imageCount)
        for t in 0..<graphs.tripleCount {
            let image = graphs.tripleToImage[t]
            guard filled[image] < maxTriples else { continue }
            // `__in_image__` is predicate 0; the image's own `__image__` object has no such triple.
            if graphs.triples[3 * t + 1] == 0 { slots[image].append(filled[image]) }
            filled[image] += 1
        }
        return slots
    }

    /// The conditional ε for x [B, 3, S, S] at timestep `t` and ∇ₓ of the object loss L (above),
    /// from one recorded UNet pass and its backward; `context` holds the B conditional rows and
    /// `slots` each image's object slots (`objectSlots`). The model's weights must be frozen
    /// (`DiffusionPipeline` freezes them), or the backward would add to their gradients.
    public func objectGuidance(_ x: Tensor, t: Int, context c: DiffusionContext, slots: [[Int]]) -> (epsilon: Tensor, gradient: Tensor) {
        require(unet.parameters.allSatisfy { !$0.requiresGrad }, "object guidance needs the UNet's weights frozen (setRequiresGrad(false))")
        return GradMode.$isEnabled.withValue(true) {
            let input = x.copy()
            input.requiresGrad = true
            let (epsilon, loss) = objectLoss(input, t: t, context: c, slots: slots)
            guard let loss else { return (epsilon, Tensor.zeros(x.shape)) }
            loss.backward()
            return (epsilon.detached(), input.grad ?? Tensor.zeros(x.shape))
        }
    }

    /// The conditional ε for x and the object loss L (nil when the model has no cross-attention or
    /// the images no objects), recorded for a backward when grad mode is on and x requires it.
    func objectLoss(_ x: Tensor, t: Int, context c: DiffusionContext, slots: [[Int]]) -> (epsilon: Tensor, loss: Tensor?) {
        let b = x.shape[0]
        require(slots.count == b && c.tokens.shape[0] == b, "object guidance: \(slots.count) slot lists and \(c.tokens.shape[0]) contexts for \(b) images")
        var queries: [Tensor] = [], keys: [Tensor] = []
        let recorder = ActivationRecorder { name, tensor in
            if name.hasSuffix("cross_attn.q") { queries.append(tensor) }
            if name.hasSuffix("cross_attn.k") { keys.append(tensor) }
        }
        let epsilon = unet(x, timesteps: [Int](repeating: t, count: b), context: c.tokens, mask: c.mask, global: c.global, record: recorder)
        let finest = queries.map { $0.shape[1] }.max() ?? 0
        let blocks = zip(queries, keys).filter { $0.0.shape[1] == finest }
        guard !blocks.isEmpty, slots.contains(where: { !$0.isEmpty }) else { return (epsilon, nil) }
        let m = c.tokens.shape[1], heads = configuration.unet.heads
        let bias = Tensor(shape: [b, 1, 1, m], scalars: c.mask.map { $0 ? 0 : -1e9 })
        var sum: Tensor?
        for (q, k) in blocks {
            let n = q.shape[1], dh = q.shape[2] / heads
            let qh = q.reshaped([b, n, heads, dh]).permuted([0, 2, 1, 3]).reshaped([b * heads, n, dh])
            let kh = k.reshaped([b, m, heads, dh]).permuted([0, 2, 1, 3]).reshaped([b * heads, m, dh])
            let scores = batchedMatmul(qh, kh, transposeB: true).reshaped([b, heads, n, m]) * (1 / Float(dh).squareRoot()) + bias
            let probabilities = softmax(scores).mean(axes: [1])                                      // [B, n, m]
            sum = sum.map { $0 + probabilities } ?? probabilities
        }
        let maps = sum! * (1 / Float(blocks.count))
        var peaks: [Tensor] = []
        for (image, imageSlots) in slots.enumerated() {
            let rows = maps.slice(axis: 0, image..<(image + 1))
            for slot in imageSlots {
                let a = rows.slice(axis: 2, slot..<(slot + 1)).reshaped([1, finest])
                peaks.append((a * softmax(a * (1 / Self.objectPeakTemperature))).sum())
            }
        }
        return (epsilon, peaks.dropFirst().reduce(peaks[0], +) * -1)
    }
}
