import Tensors

/// y = x·Wᵀ + b over the last dimension; weight [out, in] as in PyTorch.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, initialization: LinearInitialization = .pytorchDefault,
                rng: inout RandomGenerator) {
        switch initialization {
        case .pytorchDefault:
            weight = defaultUniform([outFeatures, inFeatures], fanIn: inFeatures, using: &rng)
            self.bias = bias ? defaultUniform([outFeatures], fanIn: inFeatures, using: &rng) : nil
        case .kaimingNormal:
            weight = kaimingNormal([outFeatures, inFeatures], fanIn: inFeatures, using: &rng)
            self.bias = bias ? constantParameter([outFeatures], 0) : nil
        }
    }

    public var localParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }

    /// residual + self(x), the add fused into the product (see `linear(_:weight:bias:residual:)`).
    public func callAsFunction(_ x: Tensor, residual: Tensor) -> Tensor { linear(x, weight: weight, bias: bias, residual: residual) }
}
