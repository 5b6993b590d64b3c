import Tensors

/// Linear layers with ReLU after each (optionally not after the last), named like
/// `nn.Sequential(Linear, ReLU, Linear, ReLU)`: the linears are children "0", "2", "4", ….
public final class MLP: Module {
    public let layers: [Linear]
    public let reluAfterLast: Bool

    /// `dims` = [in, hidden…, out].
    public init(_ dims: [Int], reluAfterLast: Bool = true, initialization: LinearInitialization = .pytorchDefault, rng: inout RandomGenerator) {
        require(dims.count >= 2, "MLP needs at least input and output sizes")
        layers = (0..<(dims.count - 1)).map { Linear(dims[$0], dims[$0 + 1], initialization: initialization, rng: &rng) }
        self.reluAfterLast = reluAfterLast
    }

    public var children: [(String, any Module)] { layers.enumerated().map { (String(2 * $0.offset), $0.element) } }

    /// Applies the layers; `record` sees each Linear and ReLU output under its Sequential index.
    public func callAsFunction(_ x: Tensor, record: ActivationRecorder? = nil) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            record?(String(2 * i), h)
            if i < layers.count - 1 || reluAfterLast {
                h = relu(h)
                record?(String(2 * i + 1), h)
            }
        }
        return h
    }
}
