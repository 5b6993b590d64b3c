import Diffusion
import Foundation
import Yams

/// How the graph encoder takes part in denoiser training.
public enum EncoderMode: String, Sendable, CaseIterable {
    /// Pretrained and fixed (SGDiff).
    case frozen
    /// Pretrained, then trained with the denoiser.
    case finetune
    /// Randomly initialised and trained end to end with the denoiser.
    case scratch
}

/// The `train` section: the denoiser's recipe and the run's intervals.
public struct TrainingConfiguration: OptimizationRecipe, Sendable, Equatable {
    public var batch = 32
    public var learningRate = 1e-3
    public var minimumLearningRate = 1e-5
    public var warmup = 500
    public var weightDecay = 0.01
    public var gradientClip = 1.0
    public var emaDecay = 0.999
    public var steps = 20_000
    public var logEvery = 25
    public var checkpointEvery = 250
    public var keepCheckpoints = 3
    public var sampleEvery = 1000
    public var seed: UInt64 = 1
    public var encoder = EncoderMode.scratch
    /// Probability that a training example's graph is replaced by the null graph (guidance).
    public var conditionDrop = 0.1
    public var minSNRGamma = 5.0
    /// Held-out graphs sampled and checked at every evaluation.
    public var evalGraphs = 64
    public var evalSampler = "ddim"
    public var evalSteps = 50
    public var evalGuidance = 3.0

    public init() {}

    static let keys = recipeKeys + ["ema", "sample_every", "encoder", "cond_drop", "min_snr_gamma", "eval_graphs", "eval_sampler",
                                    "eval_steps", "eval_guidance"]

    /// Reads the `train` section (every key optional, unknown keys refused).
    public static func parse(root: Node.Mapping, source: String) throws -> TrainingConfiguration {
        let r = try YAMLSection.section("train", of: root, source: source)
        try r.refuseUnknown(Set(keys))
        var c = TrainingConfiguration()
        try c.readRecipe(from: r)
        c.emaDecay = try r.double("ema") ?? c.emaDecay
        c.sampleEvery = try r.int("sample_every") ?? c.sampleEvery
        if let e = try r.choice("encoder", EncoderMode.allCases.map(\.rawValue)) { c.encoder = EncoderMode(rawValue: e)! }
        c.conditionDrop = try r.double("cond_drop") ?? c.conditionDrop
        c.minSNRGamma = try r.double("min_snr_gamma") ?? c.minSNRGamma
        c.evalGraphs = try r.int("eval_graphs") ?? c.evalGraphs
        c.evalSampler = try r.choice("eval_sampler", ["ddpm", "ddim", "dpm++2m"]) ?? c.evalSampler
        c.evalSteps = try r.int("eval_steps") ?? c.evalSteps
        c.evalGuidance = try r.double("eval_guidance") ?? c.evalGuidance

        try r.requirePositive("sample_every", c.sampleEvery); try r.requirePositive("eval_steps", c.evalSteps)
        if c.evalGraphs < 0 { throw r.error("eval_graphs", r.mapping["eval_graphs"], "must not be negative") }
        try r.requireWithin("ema", c.emaDecay, 0...1); try r.requireWithin("cond_drop", c.conditionDrop, 0...1)
        try r.requireWithin("min_snr_gamma", c.minSNRGamma, 1e-9...1e9); try r.requireWithin("eval_guidance", c.evalGuidance, 0...100)
        return c
    }

    /// The resolved section.
    public var section: ConfigSection {
        ("train", recipeValues + [
            ("ema", .double(emaDecay)), ("sample_every", .int(sampleEvery)), ("encoder", .string(encoder.rawValue)), ("cond_drop", .double(conditionDrop)), ("min_snr_gamma", .double(minSNRGamma)),
            ("eval_graphs", .int(evalGraphs)), ("eval_sampler", .string(evalSampler)), ("eval_steps", .int(evalSteps)),
            ("eval_guidance", .double(evalGuidance)),
        ])
    }
}

/// The `data` section: the ShapeWorld scenes a run trains and evaluates on.
public struct DataConfiguration: Sendable, Equatable {
    public var size = 32
    public var minObjects = 2
    public var maxObjects = 4
    public var nested = 0.25
    /// Training scenes are indices 0, 1, 2, … of this data seed.
    public var seed: UInt64 = 1
    /// Held-out scenes come from this seed, which training never draws.
    public var evalSeed: UInt64 = 1_000_003
    /// A curriculum over object counts (0 = none): during the first N training steps the most
    /// objects a scene may have rises from `minObjects` to `maxObjects` in equal stages, so the
    /// denoiser meets single relations before crowded scenes. Evaluation always uses the full range.
    public var curriculumSteps = 0

    public init() {}

    /// The most objects a training scene may have at `step`.
    public func maxObjects(atStep step: Int) -> Int {
        guard curriculumSteps > 0, step < curriculumSteps else { return maxObjects }
        let stages = maxObjects - minObjects + 1
        return minObjects + step * stages / curriculumSteps
    }

    /// Reads the `data` section.
    public static func parse(root: Node.Mapping, source: String) throws -> DataConfiguration {
        let r = try YAMLSection.section("data", of: root, source: source)
        try r.refuseUnknown(["size", "min_objects", "max_objects", "nested", "seed", "eval_seed", "curriculum_steps"])
        var c = DataConfiguration()
        c.size = try r.int("size") ?? c.size
        c.minObjects = try r.int("min_objects") ?? c.minObjects
        c.maxObjects = try r.int("max_objects") ?? c.maxObjects
        c.nested = try r.double("nested") ?? c.nested
        for key in ["seed", "eval_seed"] {
            guard let s = try r.int(key) else { continue }
            guard s >= 0 else { throw r.error(key, r.mapping[key], "must not be negative") }
            if key == "seed" { c.seed = UInt64(s) } else { c.evalSeed = UInt64(s) }
        }
        c.curriculumSteps = try r.int("curriculum_steps") ?? c.curriculumSteps
        if c.curriculumSteps < 0 { throw r.error("curriculum_steps", r.mapping["curriculum_steps"], "must not be negative (0 = no curriculum)") }
        if c.size < 16 { throw r.error("size", r.mapping["size"], "must be at least 16") }
        if c.minObjects < 1 || c.maxObjects < c.minObjects || c.maxObjects > 8 {
            throw r.error("max_objects", r.mapping["max_objects"] ?? r.mapping["min_objects"], "need 1 ≤ min_objects ≤ max_objects ≤ 8")
        }
        if !(0...1).contains(c.nested) { throw r.error("nested", r.mapping["nested"], "must lie in 0…1") }
        if c.seed == c.evalSeed { throw r.error("eval_seed", r.mapping["eval_seed"], "must differ from data.seed (held-out scenes)") }
        return c
    }

    public var section: ConfigSection {
        ("data", [("size", .int(size)), ("min_objects", .int(minObjects)), ("max_objects", .int(maxObjects)), ("nested", .double(nested)),
                  ("seed", .int(Int(seed))), ("eval_seed", .int(Int(evalSeed))), ("curriculum_steps", .int(curriculumSteps))])
    }
}
