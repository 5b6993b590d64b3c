import Diffusion
import Yams

/// The keys every training section shares (`pretrain`, `train`): batch, AdamW with warm-up and
/// cosine decay, clipping, run length, intervals and seed — read, checked and written back once.
public protocol OptimizationRecipe {
    var batch: Int { get set }
    var learningRate: Double { get set }
    var minimumLearningRate: Double { get set }
    var warmup: Int { get set }
    var weightDecay: Double { get set }
    var gradientClip: Double { get set }
    var steps: Int { get set }
    var logEvery: Int { get set }
    var checkpointEvery: Int { get set }
    var keepCheckpoints: Int { get set }
    var seed: UInt64 { get set }
}

extension OptimizationRecipe {
    /// The shared keys, as the section's file spells them.
    static var recipeKeys: [String] {
        ["batch", "lr", "min_lr", "warmup", "weight_decay", "grad_clip", "steps", "log_every", "checkpoint_every", "keep_checkpoints", "seed"]
    }

    /// Reads the shared keys present in `r` over the defaults, then checks their ranges (file:line:key errors).
    mutating func readRecipe(from r: YAMLSection) throws {
        batch = try r.int("batch") ?? batch
        learningRate = try r.double("lr") ?? learningRate
        minimumLearningRate = try r.double("min_lr") ?? minimumLearningRate
        warmup = try r.int("warmup") ?? warmup
        weightDecay = try r.double("weight_decay") ?? weightDecay
        gradientClip = try r.double("grad_clip") ?? gradientClip
        steps = try r.int("steps") ?? steps
        logEvery = try r.int("log_every") ?? logEvery
        checkpointEvery = try r.int("checkpoint_every") ?? checkpointEvery
        keepCheckpoints = try r.int("keep_checkpoints") ?? keepCheckpoints
        if let s = try r.int("seed") {
            guard s >= 0 else { throw r.error("seed", r.mapping["seed"], "must not be negative") }
            seed = UInt64(s)
        }
        for (key, v) in [("batch", batch), ("steps", steps), ("log_every", logEvery), ("checkpoint_every", checkpointEvery),
                         ("keep_checkpoints", keepCheckpoints)] { try r.requirePositive(key, v) }
        if warmup < 0 { throw r.error("warmup", r.mapping["warmup"], "must not be negative") }
        try r.requireWithin("lr", learningRate, 1e-12...10); try r.requireWithin("min_lr", minimumLearningRate, 0...learningRate)
        try r.requireWithin("weight_decay", weightDecay, 0...1); try r.requireWithin("grad_clip", gradientClip, 1e-9...1e9)
    }

    /// The shared keys of the resolved section, in the order the config files list them.
    var recipeValues: [(String, ConfigValue)] {
        [("batch", .int(batch)), ("lr", .double(learningRate)), ("min_lr", .double(minimumLearningRate)), ("warmup", .int(warmup)),
         ("weight_decay", .double(weightDecay)), ("grad_clip", .double(gradientClip)), ("steps", .int(steps)),
         ("log_every", .int(logEvery)), ("checkpoint_every", .int(checkpointEvery)), ("keep_checkpoints", .int(keepCheckpoints)),
         ("seed", .int(Int(seed)))]
    }
}

extension YAMLSection {
    /// Refuses `value` below 1 for `key`.
    func requirePositive(_ key: String, _ value: Int) throws {
        if value < 1 { throw error(key, mapping[key], "must be at least 1") }
    }

    /// Refuses `value` outside `range` for `key`.
    func requireWithin(_ key: String, _ value: Double, _ range: ClosedRange<Double>) throws {
        if !range.contains(value) { throw error(key, mapping[key], "must lie in \(range.lowerBound)…\(range.upperBound)") }
    }

    /// The same mapping with another dotted prefix in its errors.
    func prefixed(_ prefix: String) -> YAMLSection { YAMLSection(source: source, prefix: prefix, mapping: mapping) }
}
