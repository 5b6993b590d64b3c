import GraphEncoder
import NN
import Tensors

/// The cross-attention context built from a graph: tokens [B, T+1, C], mask [B·(T+1)], global [B, G].
public struct DiffusionContext {
    public var tokens: Tensor
    public var mask: [Bool]
    public var global: Tensor

    public init(tokens: Tensor, mask: [Bool], global: Tensor) {
        require(mask.count == tokens.shape[0] * tokens.shape[1], "DiffusionContext: \(mask.count) mask flags for tokens \(tokens.shape)")
        self.tokens = tokens; self.mask = mask; self.global = global
    }

    /// The "null graph" used for classifier-free guidance: all-zero tokens with only the global
    /// slot unmasked, and a zero global embedding.
    public static func nullGraph(batch: Int, tokens: Int, contextDimension: Int, globalDimension: Int) -> DiffusionContext {
        var mask = [Bool](repeating: false, count: batch * tokens)
        for b in 0..<batch { mask[b * tokens + tokens - 1] = true }
        return DiffusionContext(tokens: Tensor.zeros([batch, tokens, contextDimension]), mask: mask,
                                global: Tensor.zeros([batch, globalDimension]))
    }

    /// The first `rows` rows: the conditional part of a stacked guided context.
    public func leading(_ rows: Int) -> DiffusionContext {
        let perRow = tokens.shape[1]
        return DiffusionContext(tokens: tokens.slice(axis: 0, 0..<rows), mask: Array(mask[0..<(rows * perRow)]),
                                global: global.slice(axis: 0, 0..<rows))
    }

    /// The rows `indices` (repeats allowed), in that order.
    public func rows(_ indices: [Int]) -> DiffusionContext {
        let perRow = tokens.shape[1]
        let mask = indices.flatMap { self.mask[($0 * perRow)..<(($0 + 1) * perRow)] }
        return DiffusionContext(tokens: indexSelect(tokens, indices), mask: mask, global: indexSelect(global, indices))
    }

    /// The contexts of `a` then `b` as one batch (conditional and null halves of a guided step).
    public static func stacked(_ a: DiffusionContext, _ b: DiffusionContext) -> DiffusionContext {
        DiffusionContext(tokens: concat([a.tokens, b.tokens], axis: 0), mask: a.mask + b.mask,
                         global: concat([a.global, b.global], axis: 0))
    }
}

/// Graph encoder → context → UNet. As in SGDiff the context is the projected local (triple)
/// tokens followed by the projected global embedding as one more token; unlike SGDiff, padding
/// is masked out and the global embedding is also added to the time embedding.
public final class SceneGraphDiffusion: Module {
    public let configuration: ModelConfiguration
    public let encoder: GraphEncoder
    public let contextLocal: Linear
    public let contextGlobal: Linear
    public let unet: UNet

    public init(_ cfg: ModelConfiguration, rng: inout RandomGenerator) {
        configuration = cfg
        encoder = GraphEncoder(cfg.encoder, rng: &rng)
        contextLocal = Linear(3 * cfg.encoder.dimension, cfg.contextDimension, rng: &rng)
        contextGlobal = Linear(cfg.encoder.globalDimension, cfg.contextDimension, rng: &rng)
        unet = UNet(cfg.unet, contextDimension: cfg.contextDimension, globalDimension: cfg.encoder.globalDimension, rng: &rng)
        requireEveryLayerListed(as: "model")
    }

    public var children: [(String, any Module)] {
        [("encoder", encoder), ("context_local", contextLocal), ("context_global", contextGlobal), ("unet", unet)]
    }

    /// Encodes graphs into the UNet's conditioning.
    public func context(_ graphs: GraphBatch, record: ActivationRecorder? = nil) -> DiffusionContext {
        let encoding = encoder(graphs, record: record?.scoped("encoder"))
        return context(from: encoding, record: record)
    }

    /// Projects an encoding into context tokens: [Linear(local) ; Linear(global)].
    public func context(from encoding: GraphEncoding, record: ActivationRecorder? = nil) -> DiffusionContext {
        let b = encoding.global.shape[0], maxT = configuration.encoder.maxTriples
        let local = contextLocal(encoding.local); record?("context_local", local)
        let global = contextGlobal(encoding.global); record?("context_global", global)
        let tokens = concat([local, global.reshaped([b, 1, configuration.contextDimension])], axis: 1)
        var mask: [Bool] = []
        mask.reserveCapacity(b * (maxT + 1))
        for i in 0..<b { mask += encoding.mask[(i * maxT)..<((i + 1) * maxT)]; mask.append(true) }
        return DiffusionContext(tokens: tokens, mask: mask, global: encoding.global)
    }

    /// The null-graph context for `batch` images.
    public func nullContext(batch: Int) -> DiffusionContext {
        .nullGraph(batch: batch, tokens: configuration.encoder.maxTriples + 1, contextDimension: configuration.contextDimension,
                   globalDimension: configuration.encoder.globalDimension)
    }

    /// ε prediction for noisy images x [B, 3, H, W] at `timesteps` conditioned on `graphs`.
    public func callAsFunction(_ x: Tensor, timesteps: [Int], graphs: GraphBatch, record: ActivationRecorder? = nil) -> Tensor {
        let c = context(graphs, record: record)
        return unet(x, timesteps: timesteps, context: c.tokens, mask: c.mask, global: c.global, record: record?.scoped("unet"))
    }
}
