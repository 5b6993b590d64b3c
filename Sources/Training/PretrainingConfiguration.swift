import Diffusion
import Foundation
import GraphEncoder
import Yams

/// Which losses pretraining optimises (`--loss`).
public enum PretrainingLoss: String, Sendable, CaseIterable {
    case contrastive, masked, both
}

/// The `pretrain` section: masked-contrastive pretraining of the graph encoder.
public struct PretrainingConfiguration: Sendable, Equatable {
    public var batch = 64
    public var learningRate = 5e-4
    public var minimumLearningRate = 1e-5
    public var warmup = 200
    public var weightDecay = 0.05
    public var gradientClip = 1.0
    public var steps = 4000
    public var logEvery = 25
    public var checkpointEvery = 250
    public var keepCheckpoints = 3
    public var evalEvery = 500
    /// Held-out graph–image pairs of the retrieval evaluation (pools of 100).
    public var evalPairs = 1000
    public var seed: UInt64 = 2
    /// Each object's box is masked with this probability in the masked objective.
    public var maskProbability = 0.8
    /// "relation_swap": graphs with one predicate flipped join the negatives; "none": no hard negatives.
    public var hardNegatives = "relation_swap"
    /// Share of a batch's graphs that get a flipped copy.
    public var hardNegativeShare = 0.5
    public var contrastiveWeight = 1.0
    public var maskedWeight = 1.0
    public var imageEncoder = ImageEncoderConfiguration(width: 128, depth: 4, heads: 4)

    public init() {}

    /// Reads the `pretrain` section (every key optional, unknown keys refused).
    public static func parse(root: Node.Mapping, source: String) throws -> PretrainingConfiguration {
        let r = try YAMLSection.section("pretrain", of: root, source: source)
        try r.refuseUnknown(["batch", "lr", "min_lr", "warmup", "weight_decay", "grad_clip", "steps", "log_every", "checkpoint_every",
                             "keep_checkpoints", "eval_every", "eval_pairs", "seed", "mask_probability", "hard_negatives",
                             "hard_negative_share", "loss", "image_encoder"])
        var c = PretrainingConfiguration()
        c.batch = try r.int("batch") ?? c.batch
        c.learningRate = try r.double("lr") ?? c.learningRate
        c.minimumLearningRate = try r.double("min_lr") ?? c.minimumLearningRate
        c.warmup = try r.int("warmup") ?? c.warmup
        c.weightDecay = try r.double("weight_decay") ?? c.weightDecay
        c.gradientClip = try r.double("grad_clip") ?? c.gradientClip
        c.steps = try r.int("steps") ?? c.steps
        c.logEvery = try r.int("log_every") ?? c.logEvery
        c.checkpointEvery = try r.int("checkpoint_every") ?? c.checkpointEvery
        c.keepCheckpoints = try r.int("keep_checkpoints") ?? c.keepCheckpoints
        c.evalEvery = try r.int("eval_every") ?? c.evalEvery
        c.evalPairs = try r.int("eval_pairs") ?? c.evalPairs
        if let s = try r.int("seed") {
            guard s >= 0 else { throw r.error("seed", r.mapping["seed"], "must not be negative") }
            c.seed = UInt64(s)
        }
        c.maskProbability = try r.double("mask_probability") ?? c.maskProbability
        c.hardNegatives = try r.choice("hard_negatives", ["relation_swap", "none"]) ?? c.hardNegatives
        c.hardNegativeShare = try r.double("hard_negative_share") ?? c.hardNegativeShare

        let loss = try YAMLSection.section("loss", of: r.mapping, source: source).prefixed("pretrain.loss")
        try loss.refuseUnknown(["contrastive", "masked"])
        c.contrastiveWeight = try loss.double("contrastive") ?? c.contrastiveWeight
        c.maskedWeight = try loss.double("masked") ?? c.maskedWeight

        let image = try YAMLSection.section("image_encoder", of: r.mapping, source: source).prefixed("pretrain.image_encoder")
        try image.refuseUnknown(["patch", "width", "depth", "heads"])
        c.imageEncoder.patch = try image.int("patch") ?? c.imageEncoder.patch
        c.imageEncoder.width = try image.int("width") ?? c.imageEncoder.width
        c.imageEncoder.depth = try image.int("depth") ?? c.imageEncoder.depth
        c.imageEncoder.heads = try image.int("heads") ?? c.imageEncoder.heads

        func positive(_ s: YAMLSection, _ key: String, _ v: Int) throws { if v < 1 { throw s.error(key, s.mapping[key], "must be at least 1") } }
        func within(_ s: YAMLSection, _ key: String, _ v: Double, _ range: ClosedRange<Double>) throws {
            if !range.contains(v) { throw s.error(key, s.mapping[key], "must lie in \(range.lowerBound)…\(range.upperBound)") }
        }
        for (key, v) in [("batch", c.batch), ("steps", c.steps), ("log_every", c.logEvery), ("checkpoint_every", c.checkpointEvery),
                         ("keep_checkpoints", c.keepCheckpoints), ("eval_every", c.evalEvery)] { try positive(r, key, v) }
        if c.batch < 2 { throw r.error("batch", r.mapping["batch"], "contrastive learning needs at least 2 pairs a batch") }
        if c.evalPairs < 0 { throw r.error("eval_pairs", r.mapping["eval_pairs"], "must not be negative") }
        if c.warmup < 0 { throw r.error("warmup", r.mapping["warmup"], "must not be negative") }
        try within(r, "lr", c.learningRate, 1e-12...10); try within(r, "min_lr", c.minimumLearningRate, 0...c.learningRate)
        try within(r, "weight_decay", c.weightDecay, 0...1); try within(r, "grad_clip", c.gradientClip, 1e-9...1e9)
        try within(r, "mask_probability", c.maskProbability, 0...1); try within(r, "hard_negative_share", c.hardNegativeShare, 0...1)
        try within(loss, "contrastive", c.contrastiveWeight, 0...1e6); try within(loss, "masked", c.maskedWeight, 0...1e6)
        if c.contrastiveWeight == 0 && c.maskedWeight == 0 { throw loss.error("contrastive", nil, "both loss weights are 0: nothing to train") }
        for (key, v) in [("patch", c.imageEncoder.patch), ("width", c.imageEncoder.width), ("depth", c.imageEncoder.depth),
                         ("heads", c.imageEncoder.heads)] { try positive(image, key, v) }
        if c.imageEncoder.width % c.imageEncoder.heads != 0 {
            throw image.error("heads", image.mapping["heads"], "\(c.imageEncoder.heads) heads do not divide width \(c.imageEncoder.width)")
        }
        return c
    }

    /// Sets the loss weights for `--loss`: one objective alone keeps its weight, the other gets 0.
    public mutating func use(_ loss: PretrainingLoss) {
        switch loss {
        case .contrastive: maskedWeight = 0; if contrastiveWeight == 0 { contrastiveWeight = 1 }
        case .masked: contrastiveWeight = 0; if maskedWeight == 0 { maskedWeight = 1 }
        case .both: break
        }
    }

    /// The resolved section.
    public var section: ConfigSection {
        ("pretrain", [
            ("batch", .int(batch)), ("lr", .double(learningRate)), ("min_lr", .double(minimumLearningRate)), ("warmup", .int(warmup)),
            ("weight_decay", .double(weightDecay)), ("grad_clip", .double(gradientClip)), ("steps", .int(steps)),
            ("log_every", .int(logEvery)), ("checkpoint_every", .int(checkpointEvery)), ("keep_checkpoints", .int(keepCheckpoints)),
            ("eval_every", .int(evalEvery)), ("eval_pairs", .int(evalPairs)), ("seed", .int(Int(seed))),
            ("mask_probability", .double(maskProbability)), ("hard_negatives", .string(hardNegatives)),
            ("hard_negative_share", .double(hardNegativeShare)),
            ("loss", .mapping([("contrastive", .double(contrastiveWeight)), ("masked", .double(maskedWeight))])),
            ("image_encoder", .mapping([("patch", .int(imageEncoder.patch)), ("width", .int(imageEncoder.width)),
                                        ("depth", .int(imageEncoder.depth)), ("heads", .int(imageEncoder.heads))])),
        ])
    }
}

extension YAMLSection {
    /// The same mapping with another dotted prefix in its errors.
    func prefixed(_ prefix: String) -> YAMLSection { YAMLSection(source: source, prefix: prefix, mapping: mapping) }
}
