import GraphEncoder

/// Sizes of the UNet.
public struct UNetConfiguration: Sendable, Equatable {
    public var channels = 32
    public var multipliers = [1, 2, 2]
    public var residualBlocks = 2
    public var attentionLevels = [1, 2]
    public var heads = 4
    public var inChannels = 3
    /// GroupNorm groups everywhere. The time and global embeddings are added per channel right
    /// before a GroupNorm; a group of one channel would normalise them away, hence 8 by default.
    public var normGroups = 8
    /// Fixed 2-D sine-cosine positions on the SpatialTransformers' tokens (`model.attn_positions:
    /// sincos`). Not in the reference (which has none): a model with them loads by name into it but
    /// computes other values.
    public var attentionPositions = false
    /// Frame positions of the temporal layers (`model.frames`); 0 = an image model without them.
    public var frames = 0
    /// Correlation ρ of the starting noise between the frames of a clip (`model.frame_noise`, video
    /// models only): each frame's noise is √ρ·(one draw shared by the clip) + √(1−ρ)·(its own draw),
    /// PYoCo's mixed noise prior. Training and sampling must use the same ρ, so it lives in the model.
    public var frameNoiseCorrelation = 0.0
    /// Clean frames a window of a clip continues from (`model.context_frames`, video models only):
    /// 0 = every window denoised whole; k > 0 = the first frame drawn alone, then each window of
    /// `frames` denoises its new frames beside the k frames drawn before it (the first window beside
    /// frame 0 only). Training and sampling must agree, so it lives in the model.
    public var contextFrames = 0
    /// Clips drawn from keyframes (`model.keyframes`, with `context_frames`): every (W−1)-th frame
    /// alone, the frames between two keyframes drawn beside both (`ClipContinuation`).
    public var keyframes = false
    /// Levels with a temporal layer after every residual block (`model.temporal_levels`, video
    /// models only); nil = the attention levels.
    public var temporalLevels: [Int]?

    public init(channels: Int = 32, multipliers: [Int] = [1, 2, 2], residualBlocks: Int = 2, attentionLevels: [Int] = [1, 2],
                heads: Int = 4, inChannels: Int = 3, normGroups: Int = 8) {
        self.channels = channels; self.multipliers = multipliers; self.residualBlocks = residualBlocks
        self.attentionLevels = attentionLevels; self.heads = heads; self.inChannels = inChannels; self.normGroups = normGroups
    }
}

/// Every size of the scene-graph diffusion model (the `model` section of a config file).
public struct ModelConfiguration: Sendable, Equatable {
    public var encoder: GraphEncoderConfiguration
    public var unet: UNetConfiguration
    public var contextDimension: Int

    public init(encoder: GraphEncoderConfiguration, unet: UNetConfiguration, contextDimension: Int) {
        self.encoder = encoder; self.unet = unet; self.contextDimension = contextDimension
    }

    /// The default model: the reference's defaults at 32 channels, 19 object and 7 predicate classes.
    public static let shapes32 = ModelConfiguration(
        encoder: GraphEncoderConfiguration(objectClasses: 19, predicateClasses: 7), unet: UNetConfiguration(), contextDimension: 256)

    /// Checks that every size is positive and that the sizes fit together (GroupNorm groups and
    /// heads dividing every level's channels, attention levels that exist, …).
    public func validated(source: String) throws -> ModelConfiguration {
        func fail(_ key: String, _ why: String) -> ConfigurationError { ConfigurationError(source: source, key: key, message: why) }
        // A size of zero or less builds an empty or negative-shaped layer that fails far from the
        // config; sizes past this bound overflow the products below long before they fit in memory.
        let largest = 1 << 24
        let sizes: [(String, Int)] = [
            ("channels", unet.channels), ("num_res", unet.residualBlocks), ("heads", unet.heads),
            ("in_channels", unet.inChannels), ("norm_groups", unet.normGroups), ("context_dim", contextDimension),
            ("num_objects", encoder.objectClasses), ("num_predicates", encoder.predicateClasses), ("D", encoder.dimension),
            ("H", encoder.hidden), ("layers", encoder.layers), ("G", encoder.globalDimension), ("max_triples", encoder.maxTriples),
        ]
        for (key, value) in sizes {
            if value < 1 { throw fail("model.\(key)", "must be a positive integer, found \(value)") }
            if value > largest { throw fail("model.\(key)", "\(value) is larger than \(largest)") }
        }
        if unet.multipliers.isEmpty { throw fail("model.mult", "must list at least one level") }
        for m in unet.multipliers {
            if m < 1 { throw fail("model.mult", "every entry must be a positive integer, found \(m)") }
            if m > largest / unet.channels { throw fail("model.mult", "level channels \(m)·\(unet.channels) are larger than \(largest)") }
        }
        for m in unet.multipliers where (m * unet.channels) % unet.normGroups != 0 {
            throw fail("model.mult", "every level's channels (\(m)·\(unet.channels)) must be a multiple of norm_groups (\(unet.normGroups))")
        }
        for m in unet.multipliers where (m * unet.channels) % unet.heads != 0 {
            throw fail("model.heads", "\(unet.heads) heads do not divide \(m * unet.channels) channels")
        }
        // The temporal layers' sinusoidal table and attention are F×F per position: past a few
        // hundred frames a clip no longer fits in memory at any image size.
        if unet.frames < 0 || unet.frames > 1024 { throw fail("model.frames", "must lie in 0…1024 (0 = an image model), found \(unet.frames)") }
        if !(unet.frameNoiseCorrelation >= 0 && unet.frameNoiseCorrelation < 1) {
            throw fail("model.frame_noise", "must lie in [0, 1) (the correlation of the frames' noise), found \(unet.frameNoiseCorrelation)")
        }
        if unet.frameNoiseCorrelation > 0 && unet.frames == 0 {
            throw fail("model.frame_noise", "only a video model (model.frames > 0) has frames whose noise can be correlated")
        }
        if unet.contextFrames < 0 || (unet.contextFrames > 0 && unet.contextFrames >= unet.frames) {
            throw fail("model.context_frames", unet.frames == 0
                       ? "only a video model (model.frames > 0) continues clips from context frames"
                       : "must lie in 0…\(unet.frames - 1) (fewer than the \(unet.frames) frame positions), found \(unet.contextFrames)")
        }
        if unet.keyframes && unet.contextFrames == 0 {
            throw fail("model.keyframes", "needs model.context_frames (the frames after the last keyframe are continued from context)")
        }
        if let levels = unet.temporalLevels {
            if unet.frames == 0 { throw fail("model.temporal_levels", "only a video model (model.frames > 0) has temporal layers") }
            for l in levels where l < 0 || l >= unet.multipliers.count {
                throw fail("model.temporal_levels", "level \(l) does not exist (levels 0..<\(unet.multipliers.count))")
            }
        }
        for l in unet.attentionLevels where l < 0 || l >= unet.multipliers.count {
            throw fail("model.attn_levels", "level \(l) does not exist (levels 0..<\(unet.multipliers.count))")
        }
        return self
    }
}

/// A config file problem, with the file, the key and (when known) the line.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var source: String
    public var key: String
    public var line: Int?
    public var message: String

    public init(source: String, key: String, line: Int? = nil, message: String) {
        self.source = source; self.key = key; self.line = line; self.message = message
    }

    public var description: String { "\(source)\(line.map { ":\($0)" } ?? ""): \(key): \(message)" }
}
