import NN
import Tensors

/// Residual block: GroupNorm → SiLU → conv, plus the projected time embedding, then GroupNorm →
/// SiLU → conv; a 1×1 conv on the skip path when the channel count changes.
public final class ResBlock: Module {
    public let norm1: GroupNorm, conv1: Conv2d, emb: Linear, norm2: GroupNorm, conv2: Conv2d
    public let skip: Conv2d?

    public init(inChannels: Int, outChannels: Int, embeddingDimension: Int, normGroups: Int, rng: inout RandomGenerator) {
        norm1 = GroupNorm(groups: normGroups, channels: inChannels)
        conv1 = Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, rng: &rng)
        emb = Linear(embeddingDimension, outChannels, rng: &rng)
        norm2 = GroupNorm(groups: normGroups, channels: outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, rng: &rng)
        skip = inChannels == outChannels ? nil : Conv2d(inChannels, outChannels, kernelSize: 1, rng: &rng)
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("norm1", norm1), ("conv1", conv1), ("emb", emb), ("norm2", norm2), ("conv2", conv2)]
        if let skip { c.append(("skip", skip)) }
        return c
    }

    /// x [B, Cin, H, W], embedding [B, E] → [B, Cout, H, W].
    public func callAsFunction(_ x: Tensor, _ embedding: Tensor, record: ActivationRecorder? = nil) -> Tensor {
        let c1 = conv1(normalizedSiLU(norm1, x, record, "norm1")); record?("conv1", c1)
        let e = emb(silu(embedding)); record?("emb", e)
        let h = c1 + e.reshaped([e.shape[0], e.shape[1], 1, 1])
        let n2 = normalizedSiLU(norm2, h, record, "norm2")
        var residual = x
        if let skip { residual = skip(x); record?("skip", residual) }
        // Without a recorder conv2's own output never has to exist: the skip path is added inside
        // its GEMM (β = 1 onto skip + bias) instead of in a separate pass.
        guard let record else { return conv2(n2, residual: residual) }
        let c2 = conv2(n2); record("conv2", c2)
        let out = residual + c2
        record("", out)
        return out
    }
}

/// silu(norm(x)): one fused op, or norm then SiLU when a recorder wants the norm's own output.
func normalizedSiLU(_ norm: GroupNorm, _ x: Tensor, _ record: ActivationRecorder?, _ name: String) -> Tensor {
    guard let record else { return norm.withSiLU(x) }
    let n = norm(x)
    record(name, n)
    return silu(n)
}
