import NN
import Tensors

/// SGDiff's masked objective: patch embeddings under chosen objects are replaced by a learned mask
/// token before the image encoder runs (so nothing of the hidden patches leaks into the others),
/// and one block — self-attention, cross-attention to the graph's local tokens (padding masked),
/// GEGLU feed-forward — predicts the unmasked image's encoded tokens. The graph must say what is
/// missing and where.
public final class MaskedReconstruction: Module {
    public let maskToken: Tensor
    public let ln1: LayerNorm, selfAttention: Attention
    public let ln2: LayerNorm, crossAttention: Attention
    public let ln3: LayerNorm, feedForwardIn: Linear, feedForwardOut: Linear
    public let norm: LayerNorm, head: Linear

    public init(width w: Int, graphTokenWidth: Int, heads: Int, rng: inout RandomGenerator) {
        maskToken = Tensor.normal([w], std: 0.02, using: &rng)
        maskToken.requiresGrad = true
        ln1 = LayerNorm(w); selfAttention = Attention(dimension: w, contextDimension: w, heads: heads, rng: &rng)
        ln2 = LayerNorm(w); crossAttention = Attention(dimension: w, contextDimension: graphTokenWidth, heads: heads, rng: &rng)
        ln3 = LayerNorm(w); feedForwardIn = Linear(w, 8 * w, rng: &rng); feedForwardOut = Linear(4 * w, w, rng: &rng)
        norm = LayerNorm(w); head = Linear(w, w, rng: &rng)
    }

    public var localParameters: [(String, Tensor)] { [("mask_token", maskToken)] }
    public var children: [(String, any Module)] {
        [("ln1", ln1), ("self_attn", selfAttention), ("ln2", ln2), ("cross_attn", crossAttention), ("ln3", ln3),
         ("ff_in", feedForwardIn), ("ff_out", feedForwardOut), ("norm", norm), ("head", head)]
    }

    /// Embedded patches [B, N, W] with those flagged in `masked` [B·N] replaced by the mask token.
    public func masking(_ tokens: Tensor, _ masked: [Bool]) -> Tensor {
        let (b, n, w) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        require(masked.count == b * n, "MaskedReconstruction: \(masked.count) mask flags for \(b)×\(n) tokens")
        let keep = Tensor(shape: [b, n, 1], scalars: masked.map { $0 ? 0 : 1 })
        let replace = Tensor(shape: [b, n, 1], scalars: masked.map { $0 ? 1 : 0 })
        return tokens * keep + replace * maskToken.reshaped([1, 1, w])
    }

    /// Encoded tokens of the masked image [B, N, W], graph tokens [B, T, 3D] with `graphMask`
    /// [B·T] → predicted tokens of the unmasked image [B, N, W].
    public func callAsFunction(_ tokens: Tensor, graph: Tensor, graphMask: [Bool]) -> Tensor {
        var h = tokens + selfAttention(ln1(tokens))
        h = h + crossAttention(ln2(h), context: graph, mask: graphMask)
        h = h + feedForwardOut(geglu(feedForwardIn(ln3(h))))
        return head(norm(h))
    }
}

/// Which patch tokens an object's box covers: patches of a grid×grid layout that the box
/// [x0, y0, x1, y1] (image fractions) overlaps with positive area.
public func patchesCovered(box: (Double, Double, Double, Double), grid: Int) -> [Int] {
    let g = Double(grid)
    let c0 = max(Int((box.0 * g).rounded(.down)), 0), c1 = min(Int((box.2 * g).rounded(.up)), grid)
    let r0 = max(Int((box.1 * g).rounded(.down)), 0), r1 = min(Int((box.3 * g).rounded(.up)), grid)
    var out: [Int] = []
    for r in r0..<max(r1, r0) { for c in c0..<max(c1, c0) { out.append(r * grid + c) } }
    return out
}
