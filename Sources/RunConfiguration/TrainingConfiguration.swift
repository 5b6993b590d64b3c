import Datasets
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
    /// Clip training: the share of clips whose timestep is drawn from the noisier half (T/2 … T−1),
    /// where a clip's layout is decided; 0 = uniform over all T.
    public var noisyTimestepShare = 0.0
    /// Clip training: each example's ε-loss weight is raised to x̂₀'s, 1/SNR, capped here — a
    /// noisy timestep, where the layout is decided, then counts by its error in the image rather
    /// than in ε (which hides it by α/σ); 0 = the Min-SNR weights alone.
    public var x0WeightMax = 0.0
    /// Clip training of a model that continues clips (`model.context_frames` > 0): the share of
    /// clips whose first c frames (c uniform in 1…F−1) are given clean at timestep 0 and carry no
    /// loss, as sampling gives the frames already drawn; the rest are noised whole.
    public var contextClipShare = 0.0
    /// Clip training of a model that continues clips: the share of clips whose first and last
    /// frames are given clean (no loss), as a keyframe model's windows are drawn; drawn before the
    /// context share, the two together at most 1.
    public var keyframeClipShare = 0.0
    /// Held-out graphs sampled and checked at every evaluation.
    public var evalGraphs = 64
    public var evalSampler = "ddim"
    public var evalSteps = 50
    public var evalGuidance = 3.0
    /// Pretrained encoders (a pretrain run's encoder.safetensors) whose learned figures — retrieval,
    /// mean graph–image score, Fréchet distance — every evaluation adds; nil = none.
    public var evalScorer: String?

    public init() {}

    static let keys = recipeKeys + ["ema", "sample_every", "encoder", "cond_drop", "min_snr_gamma", "eval_graphs", "eval_sampler",
                                    "eval_steps", "eval_guidance", "noisy_timestep_share", "x0_weight_max", "context_clip_share", "keyframe_clip_share", "eval_scorer"]

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
        c.evalScorer = try r.string("eval_scorer")
        if c.evalScorer?.isEmpty == true { throw r.error("eval_scorer", r.mapping["eval_scorer"], "must name a file (leave the key out for none)") }
        c.noisyTimestepShare = try r.double("noisy_timestep_share") ?? c.noisyTimestepShare
        try r.requireWithin("noisy_timestep_share", c.noisyTimestepShare, 0...1)
        c.x0WeightMax = try r.double("x0_weight_max") ?? c.x0WeightMax
        try r.requireWithin("x0_weight_max", c.x0WeightMax, 0...1e6)
        c.contextClipShare = try r.double("context_clip_share") ?? c.contextClipShare
        try r.requireWithin("context_clip_share", c.contextClipShare, 0...1)
        c.keyframeClipShare = try r.double("keyframe_clip_share") ?? c.keyframeClipShare
        try r.requireWithin("keyframe_clip_share", c.keyframeClipShare, 0...(1 - c.contextClipShare))

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
        ] + (noisyTimestepShare > 0 ? [("noisy_timestep_share", .double(noisyTimestepShare))] : [])
          + (x0WeightMax > 0 ? [("x0_weight_max", .double(x0WeightMax))] : [])
          + (contextClipShare > 0 ? [("context_clip_share", .double(contextClipShare))] : [])
          + (keyframeClipShare > 0 ? [("keyframe_clip_share", .double(keyframeClipShare))] : [])
          + (evalScorer.map { [("eval_scorer", .string($0))] } ?? []))
    }
}

/// The `data` section: the ShapeWorld scenes a run trains and evaluates on, or a real data set —
/// its annotations and images for `prepare`, and the prepared pack that `train` and `pretrain` read.
public struct DataConfiguration: Sendable, Equatable {
    public var size = 32
    public var minObjects = 2
    public var maxObjects = 4
    public var nested = 0.25
    /// Training scenes are indices 0, 1, 2, … of this data seed (with a pack: the seed of its
    /// per-epoch order; with coco: of the synthesised relations).
    public var seed: UInt64 = 1
    /// Held-out scenes come from this seed, which training never draws.
    public var evalSeed: UInt64 = 1_000_003
    /// A curriculum over object counts (0 = none): during the first N training steps the most
    /// objects a scene may have rises from `minObjects` to `maxObjects` in equal stages, so the
    /// denoiser meets single relations before crowded scenes. Evaluation always uses the full range.
    public var curriculumSteps = 0
    /// Clip training: the share of training clips drawn again until their relations change (about
    /// 0.4 of ShapeWorld clips change by themselves); 0 = clips as the generator gives them.
    public var changingClipShare = 0.0
    /// Where examples come from; anything but shapeworld is read from a pack made by `prepare`.
    public var source = DatasetSource.shapeworld
    /// coco: the instances JSON; vg: the folder of its three JSON files; folder: the graphs JSONL.
    public var annotations: String?
    /// coco: the stuff JSON, merged with the instances (optional).
    public var stuff: String?
    /// The folder the annotations' image names are relative to (folder: defaults to the JSONL's).
    public var images: String?
    /// Share of a real data set's images held out for evaluation, chosen by image id.
    public var heldOut = 0.05
    /// coco: objects whose box covers at most this share of the image are dropped (sg2im: 2%).
    public var minObjectArea = 0.02
    /// vg: names seen fewer times than this over the whole set are dropped (sg2im: 2000 and 500).
    public var minObjectCount = 2000
    public var minPredicateCount = 500
    /// A prepared data set (`prepare --out`) that training reads instead of rendering scenes.
    public var pack: String?

    public init() {}

    /// The most objects a training scene may have at `step`.
    public func maxObjects(atStep step: Int) -> Int {
        guard curriculumSteps > 0, step < curriculumSteps else { return maxObjects }
        let stages = maxObjects - minObjects + 1
        return minObjects + step * stages / curriculumSteps
    }

    static let shapeWorldKeys = ["size", "min_objects", "max_objects", "nested", "seed", "eval_seed", "curriculum_steps", "changing_clip_share"]
    static let realDataKeys = ["annotations", "stuff", "images", "held_out", "min_object_area", "min_object_count", "min_predicate_count"]

    /// Reads the `data` section.
    public static func parse(root: Node.Mapping, source: String) throws -> DataConfiguration {
        let r = try YAMLSection.section("data", of: root, source: source)
        try r.refuseUnknown(Set(shapeWorldKeys + realDataKeys + ["source", "pack"]))
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
        c.changingClipShare = try r.double("changing_clip_share") ?? c.changingClipShare
        try r.requireWithin("changing_clip_share", c.changingClipShare, 0...1)
        if let s = try r.choice("source", DatasetSource.allCases.map(\.rawValue)) { c.source = DatasetSource(rawValue: s)! }
        c.annotations = try r.string("annotations"); c.stuff = try r.string("stuff"); c.images = try r.string("images")
        c.heldOut = try r.double("held_out") ?? c.heldOut
        c.minObjectArea = try r.double("min_object_area") ?? c.minObjectArea
        c.minObjectCount = try r.int("min_object_count") ?? c.minObjectCount
        c.minPredicateCount = try r.int("min_predicate_count") ?? c.minPredicateCount
        c.pack = try r.string("pack")

        if c.curriculumSteps < 0 { throw r.error("curriculum_steps", r.mapping["curriculum_steps"], "must not be negative (0 = no curriculum)") }
        if c.size < 16 { throw r.error("size", r.mapping["size"], "must be at least 16") }
        // A real data set's graphs may be larger than a ShapeWorld scene (sg2im's Visual Genome: 10).
        let mostObjects = c.source == .shapeworld ? 8 : 16
        if c.minObjects < 1 || c.maxObjects < c.minObjects || c.maxObjects > mostObjects {
            throw r.error("max_objects", r.mapping["max_objects"] ?? r.mapping["min_objects"], "need 1 ≤ min_objects ≤ max_objects ≤ \(mostObjects)")
        }
        if !(0...1).contains(c.nested) { throw r.error("nested", r.mapping["nested"], "must lie in 0…1") }
        if c.seed == c.evalSeed { throw r.error("eval_seed", r.mapping["eval_seed"], "must differ from data.seed (held-out scenes)") }
        try c.checkRealData(r)
        return c
    }

    /// The real-data keys: only with a real source, the ones it needs present, values in range.
    func checkRealData(_ r: YAMLSection) throws {
        if source == .shapeworld {
            if let key = Self.realDataKeys.first(where: { r.mapping[$0] != nil }) {
                throw r.error(key, r.mapping[key], "only for data.source coco, vg or folder (this config's source is shapeworld)")
            }
        } else if pack == nil {
            if annotations == nil {
                let what = ["coco": "the instances JSON", "vg": "the folder holding objects.json, relationships.json and image_data.json",
                            "folder": "the JSONL file of graphs"][source.rawValue]!
                throw r.error("annotations", r.mapping["source"], "data.source \(source.rawValue) needs data.annotations: \(what)")
            }
            if images == nil && source != .folder {
                throw r.error("images", r.mapping["source"], "data.source \(source.rawValue) needs data.images: the folder of its images")
            }
        }
        if stuff != nil && source != .coco { throw r.error("stuff", r.mapping["stuff"], "only for data.source coco") }
        if r.mapping["min_object_area"] != nil && source != .coco { throw r.error("min_object_area", r.mapping["min_object_area"], "only for data.source coco") }
        for key in ["min_object_count", "min_predicate_count"] where r.mapping[key] != nil && source != .vg {
            throw r.error(key, r.mapping[key], "only for data.source vg")
        }
        try r.requireWithin("held_out", heldOut, 0...0.5)
        try r.requireWithin("min_object_area", minObjectArea, 0...1)
        try r.requirePositive("min_object_count", minObjectCount); try r.requirePositive("min_predicate_count", minPredicateCount)
        if let pack, pack.isEmpty { throw r.error("pack", r.mapping["pack"], "must name a prepared data set (prepare --out DIR)") }
    }

    /// The resolved section. A ShapeWorld run's is as it always was; a run on a pack keeps what
    /// it reads (the pack records how it was prepared); a prepare-only config keeps every key.
    public var section: ConfigSection {
        if let pack { return ("data", [("size", .int(size)), ("seed", .int(Int(seed))), ("pack", .string(pack))]) }
        let shapeWorld: [(String, ConfigValue)] = [
            ("size", .int(size)), ("min_objects", .int(minObjects)), ("max_objects", .int(maxObjects)), ("nested", .double(nested)),
            ("seed", .int(Int(seed))), ("eval_seed", .int(Int(evalSeed))), ("curriculum_steps", .int(curriculumSteps))]
            + (changingClipShare > 0 ? [("changing_clip_share", .double(changingClipShare))] : [])
        guard source != .shapeworld else { return ("data", shapeWorld) }
        var real: [(String, ConfigValue)] = [("source", .string(source.rawValue))]
        if let annotations { real.append(("annotations", .string(annotations))) }
        if let stuff { real.append(("stuff", .string(stuff))) }
        if let images { real.append(("images", .string(images))) }
        real.append(("held_out", .double(heldOut)))
        if source == .coco { real.append(("min_object_area", .double(minObjectArea))) }
        if source == .vg { real += [("min_object_count", .int(minObjectCount)), ("min_predicate_count", .int(minPredicateCount))] }
        return ("data", shapeWorld + real)
    }
}
