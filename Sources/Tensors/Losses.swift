import Foundation

// Scalar losses: mean squared error and cross-entropy with integer labels.

/// mean((prediction − target)²) over all elements.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    require(prediction.shape == target.shape, "mseLoss: \(prediction.shape) vs \(target.shape)")
    let n = prediction.count, pp = prediction.storage.pointer, tp = target.storage.pointer
    var sum = 0.0
    for i in 0..<n { let d = Double(pp[i] - tp[i]); sum += d * d }
    let out = Tensor(Float(sum / Double(max(n, 1))))
    return out.recording([prediction, target]) { g in
        let k = 2 * g.item / Float(max(n, 1))
        let d = Tensor.uninitialized(prediction.shape)
        let dp = d.storage.pointer
        for i in 0..<n { dp[i] = k * (pp[i] - tp[i]) }
        return [prediction.requiresGrad ? d : nil, target.requiresGrad ? scale(d, -1) : nil]
    }
}

/// Mean over rows of −log softmax(logits)[label]; logits [N, K], labels in 0..<K.
public func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
    require(logits.rank == 2 && logits.shape[0] == labels.count, "crossEntropy: logits \(logits.shape), \(labels.count) labels")
    let (rows, k) = (logits.shape[0], logits.shape[1])
    require(labels.allSatisfy { $0 >= 0 && $0 < k }, "crossEntropy: label out of range 0..<\(k)")
    let probs = Tensor.uninitialized(logits.shape)
    let lp = logits.storage.pointer, pp = probs.storage.pointer
    var total = 0.0
    for r in 0..<rows {
        softmaxRow(lp + r * k, pp + r * k, k)
        total -= Foundation.log(max(Double(pp[r * k + labels[r]]), 1e-45))
    }
    let out = Tensor(Float(total / Double(max(rows, 1))))
    return out.recording([logits]) { g in
        // d/dlogits = (softmax − onehot) / N
        let d = Tensor.uninitialized(logits.shape)
        let pp = probs.storage.pointer, dp = d.storage.pointer, s = g.item / Float(max(rows, 1))
        for r in 0..<rows {
            for j in 0..<k { dp[r * k + j] = pp[r * k + j] * s }
            dp[r * k + labels[r]] -= s
        }
        return [d]
    }
}
