import Foundation

// e^x elementwise (used for learnable log-scales such as CLIP's logit scale).
// Pullback: dx = g · e^x.

/// e^x elementwise.
public func exponential(_ x: Tensor) -> Tensor {
    let out = Tensor.uninitialized(x.shape)
    let n = x.count, xp = x.storage.pointer, op = out.storage.pointer
    for i in 0..<n { op[i] = Foundation.exp(xp[i]) }
    return out.recording([x]) { g in
        let d = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = d.storage.pointer
        for i in 0..<n { dp[i] = gp[i] * op[i] }
        return [d]
    }
}
