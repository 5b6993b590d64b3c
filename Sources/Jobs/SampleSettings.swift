import Diffusion

/// How images are drawn: sampler, steps, guidance scale, first seed and output size.
public struct SampleSettings: Sendable, Equatable {
    public var sampler: SamplerKind
    public var guidance: Double
    /// Image k of a request gets seed `seed + k`, so it is the same image however it is batched.
    public var seed: UInt64
    /// Output side in pixels: the model's size times a whole factor (nearest upscaling).
    public var size: Int?

    public init(sampler: SamplerKind, guidance: Double, seed: UInt64, size: Int? = nil) {
        self.sampler = sampler; self.guidance = guidance; self.seed = seed; self.size = size
    }

    /// The default: DPM-Solver++(2M) with 20 steps, guidance 3.
    public static func defaults(seed: UInt64 = 0) throws -> SampleSettings {
        SampleSettings(sampler: try SamplerKind(name: "dpm++2m", steps: 20), guidance: 3, seed: seed)
    }
}
