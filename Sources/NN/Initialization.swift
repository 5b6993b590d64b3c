import Tensors

/// PyTorch's default initialisation for Linear and Conv2d: weights and biases uniform in
/// ±1/√fan_in (kaiming_uniform with a = √5 reduces to this bound for the weights).
func defaultUniform(_ shape: [Int], fanIn: Int, using rng: inout RandomGenerator) -> Tensor {
    let bound = 1 / Float(max(fanIn, 1)).squareRoot()
    let t = Tensor.uniform(shape, low: -bound, high: bound, using: &rng)
    t.requiresGrad = true
    return t
}

/// How a Linear layer's weights start.
public enum LinearInitialization: Sendable {
    /// PyTorch's default: weights and bias uniform in ±1/√fan_in.
    case pytorchDefault
    /// He et al.: weights normal with std √(2/fan_in), bias zero — keeps the signal's scale through
    /// deep ReLU stacks (sg2im initialises its graph convolution this way).
    case kaimingNormal
}

/// Weights normal with std √(2/fan_in) (kaiming_normal for ReLU).
func kaimingNormal(_ shape: [Int], fanIn: Int, using rng: inout RandomGenerator) -> Tensor {
    let t = Tensor.normal(shape, std: (2 / Float(max(fanIn, 1))).squareRoot(), using: &rng)
    t.requiresGrad = true
    return t
}

/// A trainable tensor filled with a constant.
func constantParameter(_ shape: [Int], _ value: Float) -> Tensor {
    let t = Tensor.full(shape, value)
    t.requiresGrad = true
    return t
}
