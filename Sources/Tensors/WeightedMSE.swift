import Foundation

// Per-example weighted mean squared error, for diffusion losses whose weight depends on each
// example's timestep (Min-SNR-γ).

/// (1/B) Σ_b w_b · mean over example b's elements of (prediction − target)².
/// prediction, target [B, …]; weights: B values.
public func weightedMSELoss(_ prediction: Tensor, _ target: Tensor, exampleWeights weights: [Float]) -> Tensor {
    require(prediction.shape == target.shape, "weightedMSELoss: \(prediction.shape) vs \(target.shape)")
    require(prediction.rank >= 1 && weights.count == prediction.shape[0],
                 "weightedMSELoss: \(weights.count) weights for a batch of \(prediction.shape.first ?? 0)")
    let b = weights.count, per = b == 0 ? 0 : prediction.count / b
    let pp = prediction.storage.pointer, tp = target.storage.pointer
    var total = 0.0
    for i in 0..<b {
        var s = 0.0
        for j in (i * per)..<((i + 1) * per) { let d = Double(pp[j] - tp[j]); s += d * d }
        total += Double(weights[i]) * s / Double(max(per, 1))
    }
    let out = Tensor(Float(total / Double(max(b, 1))))
    return out.recording([prediction, target]) { g in
        let d = Tensor.uninitialized(prediction.shape)
        let dp = d.storage.pointer
        for i in 0..<b {
            let k = 2 * g.item * weights[i] / Float(max(per, 1) * max(b, 1))
            for j in (i * per)..<((i + 1) * per) { dp[j] = k * (pp[j] - tp[j]) }
        }
        return [prediction.requiresGrad ? d : nil, target.requiresGrad ? scale(d, -1) : nil]
    }
}
