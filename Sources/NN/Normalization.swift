import Tensors

/// Group normalisation over [B, C, *] with a per-channel affine (PyTorch `nn.GroupNorm`).
public final class GroupNorm: Module {
    public let groups: Int
    public let eps: Float
    public let weight: Tensor
    public let bias: Tensor

    public init(groups: Int, channels: Int, eps: Float = 1e-5) {
        require(channels % groups == 0, "GroupNorm: \(channels) channels in \(groups) groups")
        self.groups = groups
        self.eps = eps
        weight = constantParameter([channels], 1)
        bias = constantParameter([channels], 0)
    }

    public var localParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps)
    }

    /// silu(self(x)) as one fused op (the norm → SiLU pair every ResBlock starts with).
    public func withSiLU(_ x: Tensor) -> Tensor {
        groupNormSiLU(x, groups: groups, weight: weight, bias: bias, eps: eps)
    }
}

/// Layer normalisation over the last dimension with an affine (PyTorch `nn.LayerNorm`).
public final class LayerNorm: Module {
    public let eps: Float
    public let weight: Tensor
    public let bias: Tensor

    public init(_ dimension: Int, eps: Float = 1e-5) {
        self.eps = eps
        weight = constantParameter([dimension], 1)
        bias = constantParameter([dimension], 0)
    }

    public var localParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    public func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, weight: weight, bias: bias, eps: eps) }
}
