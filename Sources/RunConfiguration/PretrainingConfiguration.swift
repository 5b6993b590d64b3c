import Diffusion
import Foundation
import GraphEncoder
import Yams

/// Which losses pretraining optimises (`--loss`).
public enum PretrainingLoss: String, Sendable, CaseIterable {
    case contrastive, masked, both
}

/// The `pretrain` section: masked-contrastive pretraining of the graph encoder.
public struct PretrainingConfiguration: OptimizationRecipe, Sendable, Equatable {
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
    /// "mirror": each image whose graph has a left/right relation also appears mirrored left to right
    /// as an extra negative for every graph, so the image encoder must say where things are; "none".
    public var imageHardNegatives = "mirror"
    /// Share of a batch's graphs that get flipped copies.
    public var hardNegativeShare = 1.0
    /// Flipped copies of each chosen graph, each with a different relation flipped (at most as many
    /// as the graph has flippable relations).
    public var hardNegativeCopies = 2
    /// "normalized": the masked objective's target tokens are layer-normalised per token (no affine),
    /// so its scale does not grow with the image encoder's tokens; "raw": the tokens as encoded.
    public var maskedTarget = "normalized"
    public var contrastiveWeight = 1.0
    public var maskedWeight = 1.0
    /// Weight of the layout objective: MSE of each object's box regressed from its graph vector.
    public var layoutWeight = 10.0
    public var imageEncoder = ImageEncoderConfiguration(width: 128, depth: 4, heads: 4)

    public init() {}

    /// Reads the `pretrain` section (every key optional, unknown keys refused).
    public static func parse(root: Node.Mapping, source: String) throws -> PretrainingConfiguration {
        let r = try YAMLSection.section("pretrain", of: root, source: source)
        try r.refuseUnknown(Set(recipeKeys + ["eval_every", "eval_pairs", "mask_probability", "hard_negatives", "hard_negative_share",
                                              "hard_negative_copies", "image_hard_negatives", "masked_target", "loss", "image_encoder"]))
        var c = PretrainingConfiguration()
        try c.readRecipe(from: r)
        c.evalEvery = try r.int("eval_every") ?? c.evalEvery
        c.evalPairs = try r.int("eval_pairs") ?? c.evalPairs
        c.maskProbability = try r.double("mask_probability") ?? c.maskProbability
        c.hardNegatives = try r.choice("hard_negatives", ["relation_swap", "none"]) ?? c.hardNegatives
        c.hardNegativeShare = try r.double("hard_negative_share") ?? c.hardNegativeShare
        c.imageHardNegatives = try r.choice("image_hard_negatives", ["mirror", "none"]) ?? c.imageHardNegatives
        c.hardNegativeCopies = try r.int("hard_negative_copies") ?? c.hardNegativeCopies
        c.maskedTarget = try r.choice("masked_target", ["normalized", "raw"]) ?? c.maskedTarget

        let loss = try YAMLSection.section("loss", of: r.mapping, source: source).prefixed("pretrain.loss")
        try loss.refuseUnknown(["contrastive", "masked", "layout"])
        c.contrastiveWeight = try loss.double("contrastive") ?? c.contrastiveWeight
        c.maskedWeight = try loss.double("masked") ?? c.maskedWeight
        c.layoutWeight = try loss.double("layout") ?? c.layoutWeight

        let image = try YAMLSection.section("image_encoder", of: r.mapping, source: source).prefixed("pretrain.image_encoder")
        try image.refuseUnknown(["patch", "width", "depth", "heads"])
        c.imageEncoder.patch = try image.int("patch") ?? c.imageEncoder.patch
        c.imageEncoder.width = try image.int("width") ?? c.imageEncoder.width
        c.imageEncoder.depth = try image.int("depth") ?? c.imageEncoder.depth
        c.imageEncoder.heads = try image.int("heads") ?? c.imageEncoder.heads

        try r.requirePositive("eval_every", c.evalEvery); try r.requirePositive("hard_negative_copies", c.hardNegativeCopies)
        if c.batch < 2 { throw r.error("batch", r.mapping["batch"], "contrastive learning needs at least 2 pairs a batch") }
        if c.evalPairs < 0 { throw r.error("eval_pairs", r.mapping["eval_pairs"], "must not be negative") }
        try r.requireWithin("mask_probability", c.maskProbability, 0...1); try r.requireWithin("hard_negative_share", c.hardNegativeShare, 0...1)
        try loss.requireWithin("contrastive", c.contrastiveWeight, 0...1e6); try loss.requireWithin("masked", c.maskedWeight, 0...1e6)
        try loss.requireWithin("layout", c.layoutWeight, 0...1e6)
        if c.contrastiveWeight == 0 && c.maskedWeight == 0 && c.layoutWeight == 0 {
            throw loss.error("contrastive", nil, "every loss weight is 0: nothing to train")
        }
        for (key, v) in [("patch", c.imageEncoder.patch), ("width", c.imageEncoder.width), ("depth", c.imageEncoder.depth),
                         ("heads", c.imageEncoder.heads)] { try image.requirePositive(key, v) }
        if c.imageEncoder.width % 4 != 0 {
            throw image.error("width", image.mapping["width"], "\(c.imageEncoder.width) is not a multiple of 4 (2-D sine-cosine positions)")
        }
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
        ("pretrain", recipeValues + [
            ("eval_every", .int(evalEvery)), ("eval_pairs", .int(evalPairs)),
            ("mask_probability", .double(maskProbability)), ("hard_negatives", .string(hardNegatives)),
            ("hard_negative_share", .double(hardNegativeShare)), ("hard_negative_copies", .int(hardNegativeCopies)),
            ("image_hard_negatives", .string(imageHardNegatives)),
            ("masked_target", .string(maskedTarget)),
            ("loss", .mapping([("contrastive", .double(contrastiveWeight)), ("masked", .double(maskedWeight)), ("layout", .double(layoutWeight))])),
            ("image_encoder", .mapping([("patch", .int(imageEncoder.patch)), ("width", .int(imageEncoder.width)),
                                        ("depth", .int(imageEncoder.depth)), ("heads", .int(imageEncoder.heads))])),
        ])
    }
}
