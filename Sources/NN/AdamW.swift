import Foundation
import Tensors

/// AdamW with decoupled weight decay and bias correction, step for step as `torch.optim.AdamW`:
///   p ← p·(1 − lr·λ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
///   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
///
/// State belongs to parameters by name, so a checkpoint restores the right moments to the right
/// parameter whatever order a model lists them in.
public final class AdamW {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// Parameter names, in the order of `parameters`.
    public let names: [String]
    public let parameters: [Tensor]
    /// Whether each parameter is exempt from weight decay (biases, norms, embeddings, scales).
    public let decayExempt: [Bool]
    /// First and second moments, one buffer per parameter, each of its parameter's shape.
    public private(set) var firstMoments: [Tensor]
    public private(set) var secondMoments: [Tensor]
    /// Steps taken so far.
    public internal(set) var step = 0

    /// An optimizer over named parameters; those whose name satisfies `decayExempt` get no weight decay.
    public init(namedParameters: [(String, Tensor)], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01,
                decayExempt: (String) -> Bool = { _ in false }) {
        let names = namedParameters.map(\.0)
        require(Set(names).count == names.count, "AdamW: duplicate parameter names")
        self.names = names
        self.parameters = namedParameters.map(\.1)
        self.decayExempt = names.map(decayExempt)
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        firstMoments = parameters.map { Tensor.zeros($0.shape) }
        secondMoments = parameters.map { Tensor.zeros($0.shape) }
    }

    /// An optimizer over unnamed parameters, named "0", "1", … by position.
    public convenience init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                            eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.init(namedParameters: parameters.enumerated().map { (String($0.offset), $0.element) },
                  learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    /// Applies one update from each parameter's `grad`; parameters without a gradient are skipped
    /// (as PyTorch skips `grad is None`).
    public func update() {
        step += 1
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = eps
        let bias1 = 1 - Float(pow(Double(b1), Double(step)))
        let bias2Sqrt = Float((1 - pow(Double(b2), Double(step))).squareRoot())
        let stepSize = lr / bias1
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            require(g.shape == p.shape, "AdamW: gradient \(g.shape) for parameter \(names[i]) of shape \(p.shape)")
            let decay = decayExempt[i] ? 1 : 1 - lr * weightDecay
            let pp = p.storage.pointer, gp = g.storage.pointer
            let m = firstMoments[i].storage.pointer, v = secondMoments[i].storage.pointer
            parallelChunks(p.count, minimumPerThread: 1 << 16) { range in
                for j in range {
                    pp[j] *= decay
                    m[j] = b1 * m[j] + (1 - b1) * gp[j]
                    v[j] = b2 * v[j] + (1 - b2) * gp[j] * gp[j]
                    let denom = v[j].squareRoot() / bias2Sqrt + eps
                    pp[j] -= stepSize * m[j] / denom
                }
            }
        }
    }
}
