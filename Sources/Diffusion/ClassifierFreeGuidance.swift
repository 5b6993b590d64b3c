import Tensors

/// Classifier-free guidance (Ho & Salimans, arXiv 2207.12598), optionally composed with relation
/// guidance (composable diffusion, Liu et al., arXiv 2206.01714): besides the null graph, the same
/// graph with its relationships removed is a second negative, pushing the image toward what the
/// relationships add:
///     ε = ε_∅ + g·(ε_G − ε_∅) + r·(ε_G − ε_O)
/// with ε_G the graph's, ε_∅ the null graph's and ε_O the objects-only graph's ε, all from one
/// denoiser call on the stacked batch [x; x; x] (conditional rows first, then null, then objects).
///
/// Object guidance (`objectScale`, `ObjectAttentionGuidance.swift`) adds a gradient term at the
/// guided timesteps: ε += o·σ_t·∇ₓL, L rewarding every object's cross-attention peak.
///
/// Guidance may be limited to the noisier timesteps: below `cutoff`·T the conditional model alone
/// draws, one row instead of two or three. Kynkäänniemi et al. (arXiv 2404.07724) guide a middle
/// interval for image quality; for faithfulness to the graph what counts is the noisy end, where the
/// layout is decided — the shipped model scores the same guided only there as guided everywhere
/// (docs/training.md) — so the clean tail's rows can pay for relation guidance.
public struct ClassifierFreeGuidance: Sendable, Equatable {
    /// Guidance scale g: 1 is the conditional model alone, 0 the unconditional one.
    public var scale: Double
    /// Relation guidance scale r: 0 = none (no objects-only rows are computed).
    public var relationScale: Double
    /// The share of the schedule, from the clean end, drawn unguided: timesteps t < cutoff·T; 0 = guided throughout.
    public var cutoff: Double
    /// Object guidance scale o: 0 = none. Images only; clips are drawn without it.
    public var objectScale: Double

    /// Guidance with scale `scale`, relation guidance `relationScale` and object guidance
    /// `objectScale`, at timesteps from `cutoff`·T up.
    public init(scale: Double, relationScale: Double = 0, cutoff: Double = 0, objectScale: Double = 0) {
        self.scale = scale; self.relationScale = relationScale; self.cutoff = cutoff; self.objectScale = objectScale
    }

    /// Whether timestep `t` of a `steps`-step schedule is guided (at or above the cutoff); below it
    /// the denoiser runs the conditional rows alone.
    public func guides(_ t: Int, of steps: Int) -> Bool { copies > 1 && Double(t) >= cutoff * Double(steps) }

    /// Whether object guidance runs at timestep `t`: a scale, and t at or above the cutoff.
    public func guidesObjects(_ t: Int, of steps: Int) -> Bool { objectScale > 0 && Double(t) >= cutoff * Double(steps) }

    /// Whether the denoiser runs the null-graph rows; at g = 1 they have weight 0, so they are skipped.
    public var needsUnconditional: Bool { scale != 1 }
    /// Whether the denoiser runs the objects-only rows.
    public var needsObjectsOnly: Bool { relationScale != 0 }
    /// How many copies of x the denoiser gets: conditional, then null, then objects-only as needed.
    public var copies: Int { 1 + (needsUnconditional ? 1 : 0) + (needsObjectsOnly ? 1 : 0) }

    /// ε for x [B, …] at timestep `t` of a `steps`-step schedule: guided (`epsilon(_:denoise:)`) at or
    /// above the cutoff, below it `denoise` on x alone. `denoise(input, stacked)` is told which it got,
    /// so it can pass the stacked guided context or only its conditional rows.
    public func epsilon(_ x: Tensor, at t: Int, of steps: Int, denoise: (_ input: Tensor, _ stacked: Bool) throws -> Tensor) rethrows -> Tensor {
        guard guides(t, of: steps) else { return try denoise(x, false) }
        return try epsilon(x) { try denoise($0, true) }
    }

    /// Guided ε for x [B, …]. `denoise` gets x stacked `copies` times (conditional rows first, then
    /// null-graph, then objects-only rows) and returns ε for what it got.
    public func epsilon(_ x: Tensor, denoise: (Tensor) throws -> Tensor) rethrows -> Tensor {
        let k = copies
        guard k > 1 else { return try denoise(x) }
        return combined(try denoise(concat([Tensor](repeating: x, count: k), axis: 0)), for: x)
    }

    /// Guided ε for x [B, …] whose conditional ε is already known (object guidance computes it on
    /// its way to the gradient): `denoise` gets x stacked `copies` − 1 times, the null-graph then
    /// the objects-only rows.
    public func epsilon(_ x: Tensor, conditional: Tensor, denoise: (Tensor) throws -> Tensor) rethrows -> Tensor {
        require(conditional.shape == x.shape, "conditional ε \(conditional.shape) for x \(x.shape)")
        let k = copies
        guard k > 1 else { return conditional }
        return combined(concat([conditional, try denoise(concat([Tensor](repeating: x, count: k - 1), axis: 0))], axis: 0), for: x)
    }

    /// The guided combination of `all`, ε for x stacked `copies` times.
    private func combined(_ all: Tensor, for x: Tensor) -> Tensor {
        let k = copies
        require(all.shape == [k * x.shape[0]] + x.shape.dropFirst(),
                     "the guided denoiser returned \(all.shape) for \(k) stacked copies of \(x.shape)")
        let out = Tensor.uninitialized(x.shape)
        let n = x.count, g = scale, r = relationScale
        all.withData { e in out.withMutableData { o in
            if !needsObjectsOnly {
                for i in 0..<n {
                    let conditional = Double(e[i]), unconditional = Double(e[n + i])
                    o[i] = Float(unconditional + g * (conditional - unconditional))
                }
            } else if !needsUnconditional {
                for i in 0..<n {
                    let conditional = Double(e[i]), objects = Double(e[n + i])
                    o[i] = Float(conditional + r * (conditional - objects))
                }
            } else {
                for i in 0..<n {
                    let conditional = Double(e[i]), unconditional = Double(e[n + i]), objects = Double(e[2 * n + i])
                    o[i] = Float(unconditional + g * (conditional - unconditional) + r * (conditional - objects))
                }
            }
        } }
        return out
    }
}
