import NN
import Tensors

// x is (B·F, C, H, W): B clips of F frames folded into the batch, frame-major within a clip.
// Tokens are (B·H·W, F, C): one sequence of F frames at every spatial position of every clip.

/// AnimateDiff's motion module, one block: GroupNorm, `proj_in`, self-attention across the F
/// frames at every spatial position (sinusoidal frame positions added first), a GEGLU
/// feed-forward (each pre-LayerNorm, residual), `proj_out`, residual around the whole block.
/// `proj_out` starts at zero, so a freshly inflated image UNet computes exactly what it did.
public final class TemporalTransformer: Module {
    public let norm: GroupNorm, projIn: Linear
    public let ln1: LayerNorm, selfAttention: Attention
    public let ln2: LayerNorm, feedForwardIn: Linear, feedForwardOut: Linear
    public let projOut: Linear
    /// Frame positions covered (the sinusoidal table's rows); longer clips are refused.
    public let maximumFrames: Int
    /// Sinusoidal frame positions [maximumFrames, C]; fixed, so neither trained nor saved.
    let positions: Tensor

    public init(channels c: Int, heads: Int, normGroups: Int, maximumFrames: Int, rng: inout RandomGenerator) {
        require(maximumFrames > 0, "TemporalTransformer: maximumFrames \(maximumFrames)")
        norm = GroupNorm(groups: normGroups, channels: c)
        projIn = Linear(c, c, rng: &rng)
        ln1 = LayerNorm(c); selfAttention = Attention(dimension: c, contextDimension: c, heads: heads, rng: &rng)
        ln2 = LayerNorm(c); feedForwardIn = Linear(c, 8 * c, rng: &rng); feedForwardOut = Linear(4 * c, c, rng: &rng)
        projOut = Linear(c, c, rng: &rng)
        for p in projOut.parameters { p.storage.pointer.update(repeating: 0, count: p.count) }
        self.maximumFrames = maximumFrames
        positions = timestepEmbedding(Array(0..<maximumFrames), dimension: c)
    }

    public var children: [(String, any Module)] {
        [("norm", norm), ("proj_in", projIn), ("ln1", ln1), ("attn", selfAttention), ("ln2", ln2),
         ("ff_in", feedForwardIn), ("ff_out", feedForwardOut), ("proj_out", projOut)]
    }

    /// x [B·F, C, H, W] with `frames` = F consecutive frames per clip → [B·F, C, H, W].
    public func callAsFunction(_ x: Tensor, frames f: Int, record: ActivationRecorder? = nil) -> Tensor {
        let (bf, c, hgt, wid) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        require(f >= 1 && bf % f == 0, "TemporalTransformer: \(bf) images are not whole clips of \(f) frames")
        require(f <= maximumFrames, "TemporalTransformer: \(f) frames, positions cover \(maximumFrames)")
        let b = bf / f, hw = hgt * wid
        let n = norm(x); record?("norm", n)
        let tokens = n.reshaped([b, f, c, hw]).permuted([0, 3, 1, 2]).reshaped([b * hw, f, c])
        let projected = projIn(tokens); record?("proj_in", projected)
        var h = projected + positions.slice(axis: 0, 0..<f)
        let l1 = ln1(h); record?("ln1", l1)
        h = h + selfAttention(l1, record: record?.scoped("attn"))
        let l2 = ln2(h); record?("ln2", l2)
        let ffIn = feedForwardIn(l2); record?("ff_in", ffIn)
        let ffOut = feedForwardOut(geglu(ffIn)); record?("ff_out", ffOut)
        h = h + ffOut
        let out = projOut(h); record?("proj_out", out)
        let result = x + out.reshaped([b, hw, f, c]).permuted([0, 2, 3, 1]).reshaped([bf, c, hgt, wid])
        record?("", result)
        return result
    }
}

extension UNet {
    /// Inflates the network for clips of up to `frames` frames: one TemporalTransformer after every
    /// residual block of the temporal levels (`down.L.temporal.j`, `up.L.temporal.j`; by default the
    /// attention levels, where it follows the SpatialTransformer) and `mid_temporal`. Built after the
    /// image layers so that they draw the same random numbers as in an image model.
    func addTemporalLayers(frames: Int, rng: inout RandomGenerator) {
        let cfg = configuration
        let levels = cfg.temporalLevels ?? cfg.attentionLevels
        func temporal(channels: Int) -> TemporalTransformer {
            TemporalTransformer(channels: channels, heads: cfg.heads, normGroups: cfg.normGroups, maximumFrames: frames, rng: &rng)
        }
        let count = cfg.multipliers.count
        // Down levels shallow to deep, then up levels deep to shallow (up[0] is the deepest).
        let ordered = down.items.enumerated().map { ($0.offset, $0.element) } + up.items.enumerated().map { (count - 1 - $0.offset, $0.element) }
        for (l, level) in ordered where levels.contains(l) {
            level.temporal = ModuleList(level.res.items.map { temporal(channels: $0.norm2.weight.count) })
        }
        midTemporal = temporal(channels: midAttention.norm.weight.count)
    }

    /// The frame positions the temporal layers cover (0 = an image model).
    public var maximumFrames: Int { midTemporal?.maximumFrames ?? 0 }
}
