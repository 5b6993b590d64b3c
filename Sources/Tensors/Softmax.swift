import Foundation

// Softmax over the last axis, max-subtracted. Pullback per row: dx = y ⊙ (g − Σ g ⊙ y).

/// Softmax along the last dimension.
public func softmax(_ x: Tensor) -> Tensor {
    let n = x.shape.last ?? 1, rows = x.count / max(n, 1)
    let out = Tensor.uninitialized(x.shape)
    let src = x.storage.pointer, dst = out.storage.pointer
    parallelChunks(rows, minimumPerThread: max(1, 16_384 / max(n, 1))) { range in
        for r in range { softmaxRow(src + r * n, dst + r * n, n) }
    }
    return out.recording([x]) { g in
        let gx = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = gx.storage.pointer
        parallelChunks(rows, minimumPerThread: max(1, 16_384 / max(n, 1))) { range in
            for r in range { softmaxRowBackward(dst + r * n, gp + r * n, dp + r * n, n) }
        }
        return [gx]
    }
}

/// y = softmax(x) for one row; a row of −∞ only (every key masked) becomes zeros.
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = vectorMax(x, n)
    if m == -Float.infinity { y.update(repeating: 0, count: n); return }
    for i in 0..<n { y[i] = fastExp(x[i] - m) }
    let inv = 1 / vectorSum(y, n)
    for i in 0..<n { y[i] *= inv }
}

/// dx = y ⊙ (g − Σ g ⊙ y) for one row (may run in place: dx == g).
@inline(__always)
func softmaxRowBackward(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    var lanes = SIMD8<Float>(), i = 0
    let rawG = UnsafeRawPointer(g), rawY = UnsafeRawPointer(y)
    while i + 8 <= n {
        lanes += rawG.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * rawY.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var dot = lanes.sum()
    while i < n { dot += g[i] * y[i]; i += 1 }
    for j in 0..<n { dx[j] = y[j] * (g[j] - dot) }
}
