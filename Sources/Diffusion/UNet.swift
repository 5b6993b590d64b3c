import NN
import Tensors

/// One resolution of the UNet: residual blocks, a SpatialTransformer after each where the level
/// has attention, and the resampling conv (downsample on the way down, upsample on the way up).
public final class UNetLevel: Module {
    public let res: ModuleList<ResBlock>
    public let attn: ModuleList<SpatialTransformer>
    public var downsample: Conv2d?
    public var upsample: Conv2d?
    /// Temporal layers, one after each SpatialTransformer (video models only).
    public internal(set) var temporal: ModuleList<TemporalTransformer>?

    init(res: [ResBlock], attn: [SpatialTransformer]) {
        self.res = ModuleList(res)
        self.attn = ModuleList(attn)
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("res", res), ("attn", attn)]
        if let downsample { c.append(("downsample", downsample)) }
        if let upsample { c.append(("upsample", upsample)) }
        if let temporal { c.append(("temporal", temporal)) }
        return c
    }
}

/// The ε-prediction UNet. emb = time_mlp(timestep features) + global_mlp(global graph embedding);
/// skips from every block of the way down feed the way up.
public final class UNet: Module {
    public let configuration: UNetConfiguration
    public let timeMLP1: Linear, timeMLP2: Linear, globalMLP: Linear
    public let convIn: Conv2d
    public let down: ModuleList<UNetLevel>
    public let midRes1: ResBlock, midAttention: SpatialTransformer, midRes2: ResBlock
    public let up: ModuleList<UNetLevel>
    public let normOut: GroupNorm, convOut: Conv2d
    /// The temporal layer after `mid_attn` (video models only).
    public internal(set) var midTemporal: TemporalTransformer?

    public init(_ cfg: UNetConfiguration, contextDimension: Int, globalDimension: Int, rng: inout RandomGenerator) {
        configuration = cfg
        let c = cfg.channels, e = 4 * cfg.channels
        timeMLP1 = Linear(c, e, rng: &rng); timeMLP2 = Linear(e, e, rng: &rng)
        globalMLP = Linear(globalDimension, e, rng: &rng)
        convIn = Conv2d(cfg.inChannels, c, kernelSize: 3, padding: 1, rng: &rng)
        func transformer(_ ch: Int, _ rng: inout RandomGenerator) -> SpatialTransformer {
            SpatialTransformer(channels: ch, contextDimension: contextDimension, heads: cfg.heads, normGroups: cfg.normGroups,
                               positions: cfg.attentionPositions, rng: &rng)
        }
        var skips = [c], ch = c
        var downLevels: [UNetLevel] = []
        for (l, m) in cfg.multipliers.enumerated() {
            var res: [ResBlock] = [], attn: [SpatialTransformer] = []
            for _ in 0..<cfg.residualBlocks {
                res.append(ResBlock(inChannels: ch, outChannels: m * c, embeddingDimension: e, normGroups: cfg.normGroups, rng: &rng)); ch = m * c
                if cfg.attentionLevels.contains(l) { attn.append(transformer(ch, &rng)) }
                skips.append(ch)
            }
            let level = UNetLevel(res: res, attn: attn)
            if l < cfg.multipliers.count - 1 {
                level.downsample = Conv2d(ch, ch, kernelSize: 3, stride: 2, padding: 1, rng: &rng); skips.append(ch)
            }
            downLevels.append(level)
        }
        down = ModuleList(downLevels)
        midRes1 = ResBlock(inChannels: ch, outChannels: ch, embeddingDimension: e, normGroups: cfg.normGroups, rng: &rng)
        midAttention = transformer(ch, &rng)
        midRes2 = ResBlock(inChannels: ch, outChannels: ch, embeddingDimension: e, normGroups: cfg.normGroups, rng: &rng)
        var upLevels: [UNetLevel] = []
        for (l, m) in cfg.multipliers.enumerated().reversed() {
            var res: [ResBlock] = [], attn: [SpatialTransformer] = []
            for _ in 0...cfg.residualBlocks {
                res.append(ResBlock(inChannels: ch + skips.removeLast(), outChannels: m * c, embeddingDimension: e, normGroups: cfg.normGroups, rng: &rng)); ch = m * c
                if cfg.attentionLevels.contains(l) { attn.append(transformer(ch, &rng)) }
            }
            let level = UNetLevel(res: res, attn: attn)
            if l > 0 { level.upsample = Conv2d(ch, ch, kernelSize: 3, padding: 1, rng: &rng) }
            upLevels.append(level)                       // up[0] is the deepest level
        }
        up = ModuleList(upLevels)
        normOut = GroupNorm(groups: cfg.normGroups, channels: ch)
        convOut = Conv2d(ch, cfg.inChannels, kernelSize: 3, padding: 1, rng: &rng)
        if cfg.frames > 0 { addTemporalLayers(frames: cfg.frames, rng: &rng) }
    }

    public var children: [(String, any Module)] {
        [("time_mlp.0", timeMLP1), ("time_mlp.2", timeMLP2), ("global_mlp", globalMLP), ("conv_in", convIn), ("down", down),
         ("mid_res1", midRes1), ("mid_attn", midAttention), ("mid_res2", midRes2), ("up", up), ("norm_out", normOut), ("conv_out", convOut)]
            + (midTemporal.map { [("mid_temporal", $0)] } ?? [])
    }

    /// x [B, 3, H, W], timesteps [B], context [B, M, Cc] with mask [B·M], global [B, G] → ε [B, 3, H, W].
    /// A video model takes B = clips·`frames` images, the frames of a clip consecutive. At
    /// `frames` = 1 every image is a frame alone and the temporal layers are skipped: with nothing to
    /// attend to they would only add what training never showed them, and the image layers draw it.
    public func callAsFunction(_ x: Tensor, timesteps: [Int], context: Tensor, mask: [Bool], global: Tensor,
                               frames: Int = 1,
                               record: ActivationRecorder? = nil) -> Tensor {
        let t0 = timeMLP1(timestepEmbedding(timesteps, dimension: configuration.channels)); record?("time_mlp.0", t0)
        let t1 = silu(t0); record?("time_mlp.1", t1)
        let t2 = timeMLP2(t1); record?("time_mlp.2", t2)
        let g = globalMLP(global); record?("global_mlp", g)
        let emb = t2 + g
        var h = convIn(x); record?("conv_in", h)
        var skips = [h]
        for (l, level) in down.items.enumerated() {
            let r = record?.scoped("down.\(l)")
            for (j, block) in level.res.items.enumerated() {
                h = block(h, emb, record: r?.scoped("res.\(j)"))
                if !level.attn.isEmpty { h = level.attn[j](h, context: context, mask: mask, record: r?.scoped("attn.\(j)")) }
                if let temporal = level.temporal, frames > 1 { h = temporal[j](h, frames: frames, record: r?.scoped("temporal.\(j)")) }
                skips.append(h)
            }
            if let downsample = level.downsample {
                h = downsample(h); r?("downsample", h)
                skips.append(h)
            }
        }
        h = midRes1(h, emb, record: record?.scoped("mid_res1"))
        h = midAttention(h, context: context, mask: mask, record: record?.scoped("mid_attn"))
        if let midTemporal, frames > 1 { h = midTemporal(h, frames: frames, record: record?.scoped("mid_temporal")) }
        h = midRes2(h, emb, record: record?.scoped("mid_res2"))
        for (l, level) in up.items.enumerated() {
            let r = record?.scoped("up.\(l)")
            for (j, block) in level.res.items.enumerated() {
                h = block(concat([h, skips.removeLast()], axis: 1), emb, record: r?.scoped("res.\(j)"))
                if !level.attn.isEmpty { h = level.attn[j](h, context: context, mask: mask, record: r?.scoped("attn.\(j)")) }
                if let temporal = level.temporal, frames > 1 { h = temporal[j](h, frames: frames, record: r?.scoped("temporal.\(j)")) }
            }
            if let upsample = level.upsample {
                h = upsample(upsampleNearest2x(h)); r?("upsample", h)
            }
        }
        let out = convOut(normalizedSiLU(normOut, h, record, "norm_out")); record?("conv_out", out)
        record?("", out)
        return out
    }
}
