import Tensors

/// 2-D convolution over NCHW input; weight [out, in, k, k] as in PyTorch, zero padding.
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, rng: inout RandomGenerator) {
        let fanIn = inChannels * kernelSize * kernelSize
        weight = defaultUniform([outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn, using: &rng)
        self.bias = bias ? defaultUniform([outChannels], fanIn: fanIn, using: &rng) : nil
        self.stride = stride
        self.padding = padding
    }

    public var localParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }

    /// residual + self(x), the add fused into the product (see `conv2d(_:weight:bias:stride:padding:residual:)`).
    public func callAsFunction(_ x: Tensor, residual: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, residual: residual)
    }
}
