import Foundation
import NN
import Tensors

/// The LDM SpatialTransformer: GroupNorm, 1×1 in, then on the H·W tokens self-attention,
/// cross-attention to the graph tokens and a GEGLU feed-forward (each pre-LayerNorm, residual),
/// 1×1 out, residual around the whole block. With `positions`, fixed 2-D sine-cosine positions
/// are added to the tokens after the 1×1 in (not in the reference: `model.attn_positions`).
public final class SpatialTransformer: Module {
    public let norm: GroupNorm, projIn: Conv2d
    public let ln1: LayerNorm, selfAttention: Attention
    public let ln2: LayerNorm, crossAttention: Attention
    public let ln3: LayerNorm, feedForwardIn: Linear, feedForwardOut: Linear
    public let projOut: Conv2d
    /// Whether the tokens get 2-D sine-cosine positions.
    public let positions: Bool
    let positionTables = PositionTables()

    public init(channels c: Int, contextDimension: Int, heads: Int, normGroups: Int, positions: Bool = false, rng: inout RandomGenerator) {
        self.positions = positions
        norm = GroupNorm(groups: normGroups, channels: c)
        projIn = Conv2d(c, c, kernelSize: 1, rng: &rng)
        ln1 = LayerNorm(c); selfAttention = Attention(dimension: c, contextDimension: c, heads: heads, rng: &rng)
        ln2 = LayerNorm(c); crossAttention = Attention(dimension: c, contextDimension: contextDimension, heads: heads, rng: &rng)
        ln3 = LayerNorm(c); feedForwardIn = Linear(c, 8 * c, rng: &rng); feedForwardOut = Linear(4 * c, c, rng: &rng)
        projOut = Conv2d(c, c, kernelSize: 1, rng: &rng)
    }

    public var children: [(String, any Module)] {
        [("norm", norm), ("proj_in", projIn), ("ln1", ln1), ("self_attn", selfAttention), ("ln2", ln2),
         ("cross_attn", crossAttention), ("ln3", ln3), ("ff_in", feedForwardIn), ("ff_out", feedForwardOut), ("proj_out", projOut)]
    }

    /// x [B, C, H, W], context [B, M, Cc], mask [B·M] → [B, C, H, W].
    public func callAsFunction(_ x: Tensor, context: Tensor, mask: [Bool], record: ActivationRecorder? = nil) -> Tensor {
        guard record != nil else { return fused(x, context: context, mask: mask) }
        let (b, c, hgt, wid) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let n = norm(x); record?("norm", n)
        let projected = projIn(n); record?("proj_in", projected)
        let tokens = projected.reshaped([b, c, hgt * wid]).permuted([0, 2, 1])        // [B, HW, C]
        var h = withPositions(tokens, height: hgt, width: wid)
        let l1 = ln1(h); record?("ln1", l1)
        h = h + selfAttention(l1, record: record?.scoped("self_attn"))
        let l2 = ln2(h); record?("ln2", l2)
        h = h + crossAttention(l2, context: context, mask: mask, record: record?.scoped("cross_attn"))
        let l3 = ln3(h); record?("ln3", l3)
        let ffIn = feedForwardIn(l3); record?("ff_in", ffIn)
        let ffOut = feedForwardOut(geglu(ffIn)); record?("ff_out", ffOut)
        h = h + ffOut
        let out = projOut(h.permuted([0, 2, 1]).reshaped([b, c, hgt, wid])); record?("proj_out", out)
        let result = x + out
        record?("", result)
        return result
    }

    /// The same block without a recorder, where no intermediate has to exist on its own: the 1×1
    /// projections go straight between the image and token layouts (no permute copies), and
    /// every residual add is folded into the GEMM that produces the added term (β = 1 onto
    /// residual + bias). Same values as the recorded path up to float rounding order.
    func fused(_ x: Tensor, context: Tensor, mask: [Bool]) -> Tensor {
        var h = withPositions(pointwiseConvToTokens(norm(x), weight: projIn.weight, bias: projIn.bias),   // tokens [B, HW, C]
                              height: x.shape[2], width: x.shape[3])
        h = selfAttention(ln1(h), residual: h)
        h = crossAttention(ln2(h), context: context, mask: mask, residual: h)
        h = feedForwardOut(geglu(feedForwardIn(ln3(h))), residual: h)
        return pointwiseConvFromTokens(h, weight: projOut.weight, bias: projOut.bias, residual: x, height: x.shape[2], width: x.shape[3])
    }

    /// Tokens [B, HW, C] plus the position table when the block has positions, else unchanged.
    func withPositions(_ tokens: Tensor, height: Int, width: Int) -> Tensor {
        guard positions else { return tokens }
        return tokens + positionTables.table(height: height, width: width, channels: tokens.shape[2])
    }
}

/// The sine-cosine tables a block has used, one per grid size: computed once, shared by every
/// thread that samples or trains with the block.
final class PositionTables: @unchecked Sendable {
    private var tables: [[Int]: Tensor] = [:]
    private let lock = NSLock()

    func table(height: Int, width: Int, channels: Int) -> Tensor {
        lock.lock(); defer { lock.unlock() }
        if let t = tables[[height, width, channels]] { return t }
        let t = Tensor(shape: [height * width, channels], scalars: sineCosinePositions(rows: height, columns: width, width: channels))
        tables[[height, width, channels]] = t
        return t
    }
}
