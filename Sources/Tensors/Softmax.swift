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

/// y = softmax(x) for one row (may run in place: y == x); a row of −∞ only (every key masked)
/// becomes zeros. Three passes over the row, which stays in L1: max; e^(x − max) stored and
/// summed in the same pass; scale by 1/sum.
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    softmaxRow(x, y, n, bias: nil)
}

/// softmax(x + bias) for one row, with `bias` (n floats: 0 for a key that is attended, −∞ for a
/// masked one) read alongside x — attention's key mask, without writing −∞ into the scores.
/// With `bias` nil this is plain softmax; the branch is per row, not per element.
/// Out of line, so the vector math inlines into it (see `vectorMap`); one call per row.
@inline(never)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, bias: UnsafePointer<Float>?) {
    let whole = n & ~15, tail = n - whole
    // Tails are padded with −∞: neutral for the max, and e^(−∞) = 0 adds nothing to the sum.
    var maxLanes = FloatVector(repeating: -.infinity)
    var i = 0
    if let bias {
        while i < whole { let v = loadVector(x, i) + loadVector(bias, i); maxLanes.replace(with: v, where: v .> maxLanes); i += 16 }
        if tail > 0 {
            let v = loadPartialVector(x, whole, count: tail, padding: -.infinity) + loadPartialVector(bias, whole, count: tail, padding: 0)
            maxLanes.replace(with: v, where: v .> maxLanes)
        }
    } else {
        while i < whole { let v = loadVector(x, i); maxLanes.replace(with: v, where: v .> maxLanes); i += 16 }
        if tail > 0 {
            let v = loadPartialVector(x, whole, count: tail, padding: -.infinity)
            maxLanes.replace(with: v, where: v .> maxLanes)
        }
    }
    let m = horizontalMax(maxLanes)
    if m == -Float.infinity { y.update(repeating: 0, count: n); return }
    let shift = FloatVector(repeating: m)
    var sumLanes = FloatVector()
    i = 0
    if let bias {
        while i < whole {
            let e = vectorExp(loadVector(x, i) + loadVector(bias, i) - shift)
            storeVector(e, y, i); sumLanes += e; i += 16
        }
        if tail > 0 {
            let v = loadPartialVector(x, whole, count: tail, padding: -.infinity) + loadPartialVector(bias, whole, count: tail, padding: 0)
            let e = vectorExp(v - shift)
            storePartialVector(e, y, whole, count: tail); sumLanes += e
        }
    } else {
        while i < whole {
            let e = vectorExp(loadVector(x, i) - shift)
            storeVector(e, y, i); sumLanes += e; i += 16
        }
        if tail > 0 {
            let e = vectorExp(loadPartialVector(x, whole, count: tail, padding: -.infinity) - shift)
            storePartialVector(e, y, whole, count: tail); sumLanes += e
        }
    }
    let inv = FloatVector(repeating: 1 / horizontalSum(sumLanes))
    i = 0
    while i < whole { storeVector(loadVector(y, i) * inv, y, i); i += 16 }
    if tail > 0 { storePartialVector(loadPartialVector(y, whole, count: tail, padding: 0) * inv, y, whole, count: tail) }
}

/// dx = y ⊙ (g − Σ g ⊙ y) for one row (may run in place: dx == g).
@inline(never)
func softmaxRowBackward(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    let whole = n & ~15, tail = n - whole
    var dotLanes = FloatVector(), i = 0
    while i < whole { dotLanes = multiplyAdd(loadVector(g, i), loadVector(y, i), dotLanes); i += 16 }
    if tail > 0 {
        dotLanes = multiplyAdd(loadPartialVector(g, whole, count: tail, padding: 0), loadPartialVector(y, whole, count: tail, padding: 0), dotLanes)
    }
    let dot = FloatVector(repeating: horizontalSum(dotLanes))
    i = 0
    while i < whole { storeVector(loadVector(y, i) * (loadVector(g, i) - dot), dx, i); i += 16 }
    if tail > 0 {
        let v = loadPartialVector(y, whole, count: tail, padding: 0) * (loadPartialVector(g, whole, count: tail, padding: 0) - dot)
        storePartialVector(v, dx, whole, count: tail)
    }
}
