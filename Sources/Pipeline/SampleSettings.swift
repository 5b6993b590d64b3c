import Diffusion

/// How images are drawn: sampler, steps, guidance scale, first seed and output size.
public struct SampleSettings: Sendable, Equatable {
    public var sampler: SamplerKind
    public var guidance: Double
    /// Image k of a request gets seed `seed + k`, so it is the same image however it is batched.
    public var seed: UInt64
    /// Output side in pixels: the model's size times a whole factor (nearest upscaling).
    public var size: Int?

    /// Relation guidance r (`ClassifierFreeGuidance`): the objects-only graph as a second negative; 0 = none.
    public var relationGuidance: Double

    /// Candidates drawn per image, the one the learned graph–image score ranks first kept (`BestOfN.swift`); 1 = plain sampling.
    public var bestOf: Int

    /// Guidance (and relation guidance) only at timesteps t ≥ cutoff·T; below, the conditional model alone (`ClassifierFreeGuidance.cutoff`).
    public var guidanceCutoff: Double

    /// Object guidance o (`ObjectAttentionGuidance.swift`): every object's cross-attention peak raised at the guided steps; 0 = none. Images only.
    public var objectGuidance: Double

    /// Settings; what is left out takes the shipped defaults, as `sample` does.
    public init(sampler: SamplerKind, guidance: Double = SampleSettings.defaultGuidance, seed: UInt64, size: Int? = nil,
                relationGuidance: Double = SampleSettings.defaultRelationGuidance, bestOf: Int = 1,
                guidanceCutoff: Double = SampleSettings.defaultGuidanceCutoff, objectGuidance: Double = SampleSettings.defaultObjectGuidance) {
        self.sampler = sampler; self.guidance = guidance; self.seed = seed; self.size = size; self.relationGuidance = relationGuidance
        self.bestOf = bestOf; self.guidanceCutoff = guidanceCutoff; self.objectGuidance = objectGuidance
    }

    /// The settings a clip is drawn and reported with: object guidance raises objects in images, and
    /// a clip is drawn without it.
    public var forClips: SampleSettings {
        var s = self
        s.objectGuidance = 0
        return s
    }

    /// The guidance these settings ask the denoiser for.
    public var classifierFreeGuidance: ClassifierFreeGuidance {
        ClassifierFreeGuidance(scale: guidance, relationScale: relationGuidance, cutoff: guidanceCutoff, objectScale: objectGuidance)
    }

    /// The guidance scale used when none is given: `sample --guidance`, jobs lines and `JobDefaults`.
    // 5, not 3: on 512 held-out graphs the shipped model (version 5) scored higher at 5 on every
    // checker figure (graph accuracy 0.440 vs 0.391), and the 128-graph table rises from 1 to 5 for every sampler.
    public static let defaultGuidance: Double = 5
    /// The relation guidance used when none is given.
    public static let defaultRelationGuidance: Double = 3
    /// The guidance cutoff used when none is given: guided at t ≥ 0.7·T only. With relation guidance 3,
    /// DPM-Solver++ 20 then runs 6 steps of 3 UNet rows and 14 of 1 — 32 rows an image against plain
    /// guidance's 40, 0.83× the time — at the same faithfulness within noise (better on both tuning
    /// sets, slightly behind on the report set: docs/training.md, "Guidance in the noisy steps only").
    public static let defaultGuidanceCutoff: Double = 0.7
    /// The object guidance used when none is given (docs/training.md, "Object guidance").
    public static let defaultObjectGuidance: Double = 150
}

/// The bounds of sampling settings, the same for every caller (`sample`, batch jobs, a server).
public enum SampleLimits {
    /// Guidance scales accepted: past 100 images are saturated noise.
    public static let guidance: ClosedRange<Double> = 0...100
    /// Object guidance scales accepted: at 30,000 images are mostly doubled objects already.
    public static let objectGuidance: ClosedRange<Double> = 0...100_000
    /// Guidance cutoffs accepted: a share of the noise schedule.
    public static let guidanceCutoff: ClosedRange<Double> = 0...1
    /// The largest output side in pixels (one 4096² RGB image is 200 MB as a tensor).
    public static let largestSize = DiffusionSetup.largestImageSize
    /// The most images one request (`--count`, a job line's `count`) may ask for.
    public static let mostImages = 100_000
    /// The most candidates per image (`--best-of`): each costs a whole image.
    public static let mostCandidates = 16

    /// Checks an image count: 1…`mostImages`.
    public static func checkCount(_ count: Int) throws {
        guard (1...mostImages).contains(count) else { throw SamplingError("--count \(count): must lie in 1…\(mostImages)") }
    }
}

extension SampleSettings {
    /// Checks a guidance cutoff without a model: a share of the schedule, 0…1.
    public static func checkGuidanceCutoff(_ cutoff: Double) throws {
        guard cutoff.isFinite, SampleLimits.guidanceCutoff.contains(cutoff) else {
            throw SamplingError("--guidance-cutoff must be a share of the schedule in 0…1, got \(cutoff)")
        }
    }

    /// Checks a guidance scale without a model: a finite number in `SampleLimits.guidance`.
    public static func checkGuidance(_ guidance: Double, option: String = "--guidance") throws {
        guard guidance.isFinite, SampleLimits.guidance.contains(guidance) else {
            throw SamplingError("\(option) must be a number in \(SampleLimits.guidance.lowerBound)…\(SampleLimits.guidance.upperBound), got \(guidance)")
        }
    }

    /// Checks an object guidance scale without a model: a finite number in `SampleLimits.objectGuidance`.
    public static func checkObjectGuidance(_ scale: Double) throws {
        guard scale.isFinite, SampleLimits.objectGuidance.contains(scale) else {
            throw SamplingError("--object-guidance must be a number in 0…\(Int(SampleLimits.objectGuidance.upperBound)), got \(scale)")
        }
    }

    /// Checks the settings against the model that will draw them: guidance, steps within the
    /// model's training timesteps, an output size that is a whole multiple of the model's and at
    /// most `SampleLimits.largestSize`. Every error names the option and its limit.
    public func check(for pipeline: DiffusionPipeline) throws {
        try Self.checkGuidance(guidance)
        try Self.checkGuidance(relationGuidance, option: "--relation-guidance")
        try Self.checkGuidanceCutoff(guidanceCutoff)
        try Self.checkObjectGuidance(objectGuidance)
        guard (1...SampleLimits.mostCandidates).contains(bestOf) else {
            throw SamplingError("--best-of must lie in 1…\(SampleLimits.mostCandidates), got \(bestOf)")
        }
        if bestOf > 1 && pipeline.scorer == nil {
            throw SamplingError("--best-of \(bestOf) " + DiffusionPipeline.needsScorer)
        }
        let t = pipeline.setup.timesteps
        switch sampler {
        case .ddpm(let steps?), .ddim(let steps, _), .dpmSolverPlusPlus2M(let steps):
            guard (1...t).contains(steps) else { throw SamplingError("--steps must lie in 1…\(t) (the model's training timesteps), got \(steps)") }
        case .ddpm(nil): break
        }
        _ = try pipeline.upscaleFactor(for: size)
    }
}

extension DiffusionPipeline {
    /// The factor that takes model-size images to `size` (nil = 1); refuses sizes that are not
    /// whole multiples of the model's, or larger than `SampleLimits.largestSize`.
    public func upscaleFactor(for size: Int?) throws -> Int {
        guard let size else { return 1 }
        guard size <= SampleLimits.largestSize else {
            throw SamplingError("--size \(size): the largest size is \(SampleLimits.largestSize) (\(SampleLimits.largestSize / imageSize) × the model's \(imageSize))")
        }
        guard size >= imageSize, size % imageSize == 0 else {
            throw SamplingError("--size \(size): must be a whole multiple of the model's image size \(imageSize) (e.g. \(imageSize * 8))")
        }
        return size / imageSize
    }
}
