import Tensors

/// Classifier-free guidance (Ho & Salimans, arXiv 2207.12598): ε = ε_u + g·(ε_c − ε_u), from one
/// denoiser call on the stacked batch [x; x] (conditional half first, null-graph half second).
public struct ClassifierFreeGuidance: Sendable, Equatable {
    /// Guidance scale g: 1 is the conditional model alone, 0 the unconditional one.
    public var scale: Double

    /// Guidance with scale `scale`.
    public init(scale: Double) { self.scale = scale }

    /// Whether the denoiser runs on the doubled batch; at g = 1 the null half has weight 0, so it is skipped.
    public var needsUnconditional: Bool { scale != 1 }

    /// Guided ε for x [B, …]. `denoise` gets x itself (scale 1) or [x; x] (2B) and returns ε for what it got,
    /// the conditional rows first.
    public func epsilon(_ x: Tensor, denoise: (Tensor) -> Tensor) -> Tensor {
        guard needsUnconditional else { return denoise(x) }
        let both = denoise(concat([x, x], axis: 0))
        require(both.shape == [2 * x.shape[0]] + x.shape.dropFirst(),
                     "the guided denoiser returned \(both.shape) for a doubled batch of \(x.shape)")
        let out = Tensor.uninitialized(x.shape)
        let n = x.count, g = scale
        both.withData { e in out.withMutableData { o in
            for i in 0..<n {
                let conditional = Double(e[i]), unconditional = Double(e[n + i])
                o[i] = Float(unconditional + g * (conditional - unconditional))
            }
        } }
        return out
    }
}
