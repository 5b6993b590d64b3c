import Tensors

/// Scales all gradients down so their global L2 norm is at most `maxNorm` (as
/// `torch.nn.utils.clip_grad_norm_`); returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.withData { for v in $0 { total += Double(v) * Double(v) } }
    }
    let norm = Float(total.squareRoot())
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for p in parameters {
            // Gradients may alias another tensor's gradient; replace instead of scaling in place.
            if let g = p.grad { p.grad = scale(g, factor) }
        }
    }
    return norm
}
