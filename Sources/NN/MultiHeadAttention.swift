import Tensors

/// Multi-head attention; keys and values come from `context` (cross-attention) or from x itself
/// (self-attention). Masked context tokens are never attended to.
public final class Attention: Module {
    public let q: Linear, k: Linear, v: Linear, o: Linear
    public let heads: Int

    public init(dimension: Int, contextDimension: Int, heads: Int, rng: inout RandomGenerator) {
        self.heads = heads
        q = Linear(dimension, dimension, bias: false, rng: &rng)
        k = Linear(contextDimension, dimension, bias: false, rng: &rng)
        v = Linear(contextDimension, dimension, bias: false, rng: &rng)
        o = Linear(dimension, dimension, rng: &rng)
    }

    public var children: [(String, any Module)] { [("q", q), ("k", k), ("v", v), ("o", o)] }

    /// x [B, N, C], context [B, M, Cc] (nil = x), mask [B·M] true = attend → [B, N, C].
    public func callAsFunction(_ x: Tensor, context: Tensor? = nil, mask: [Bool]? = nil, record: ActivationRecorder? = nil) -> Tensor {
        let source = context ?? x
        let query = q(x), key = k(source), value = v(source)
        record?("q", query); record?("k", key); record?("v", value)
        let out = o(scaledDotProductAttention(query: query, key: key, value: value, heads: heads, keyMask: mask))
        record?("o", out); record?("", out)
        return out
    }

    /// residual + self(x, …), the add fused into the output projection (no recorder: the
    /// projection's own output never exists).
    public func callAsFunction(_ x: Tensor, context: Tensor? = nil, mask: [Bool]? = nil, residual: Tensor) -> Tensor {
        let source = context ?? x
        let attended = scaledDotProductAttention(query: q(x), key: k(source), value: v(source), heads: heads, keyMask: mask)
        return o(attended, residual: residual)
    }
}
