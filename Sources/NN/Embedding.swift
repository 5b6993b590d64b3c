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

    /// Number of ids the table holds.
    public var count: Int { weight.shape[0] }

    /// The rows for `ids`; an id outside the table stops with a message in every build (a
    /// vocabulary larger than the model would otherwise read past the table).
    public func callAsFunction(_ ids: [Int]) -> Tensor {
        let count = count
        if let bad = ids.first(where: { $0 < 0 || $0 >= count }) {
            require(false, "Embedding: id \(bad) is outside the table's \(count) rows (a vocabulary larger than the model's classes?)")
        }
        return embedding(weight, ids)
    }
}
