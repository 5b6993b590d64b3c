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

    /// Checks that the sizes fit together (GroupNorm's 32 groups, heads dividing channels, …).
    public func validated(source: String) throws -> ModelConfiguration {
        func fail(_ key: String, _ why: String) -> ConfigurationError { ConfigurationError(source: source, key: key, message: why) }
        if unet.normGroups < 1 { throw fail("model.norm_groups", "must be at least 1") }
        for m in unet.multipliers where (m * unet.channels) % unet.normGroups != 0 {
            throw fail("model.mult", "every level's channels (\(m)·\(unet.channels)) must be a multiple of norm_groups (\(unet.normGroups))")
        }
        for m in unet.multipliers where (m * unet.channels) % unet.heads != 0 {
            throw fail("model.heads", "\(unet.heads) heads do not divide \(m * unet.channels) channels")
        }
        for l in unet.attentionLevels where l < 0 || l >= unet.multipliers.count {
            throw fail("model.attn_levels", "level \(l) does not exist (levels 0..<\(unet.multipliers.count))")
        }
        if unet.residualBlocks < 1 { throw fail("model.num_res", "must be at least 1") }
        if encoder.maxTriples < 1 { throw fail("model.max_triples", "must be at least 1") }
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
