import Tensors

/// A table of learned vectors, one per id (PyTorch `nn.Embedding`, initialised N(0, 1)).
public final class Embedding: Module {
    public let weight: Tensor

    public init(_ count: Int, _ dimension: Int, rng: inout RandomGenerator) {
        weight = Tensor.normal([count, dimension], using: &rng)
        weight.requiresGrad = true
    }

    public var localParameters: [(String, Tensor)] { [("weight", weight)] }

    public var dimension: Int { weight.shape[1] }

    public func callAsFunction(_ ids: [Int]) -> Tensor { embedding(weight, ids) }
}
