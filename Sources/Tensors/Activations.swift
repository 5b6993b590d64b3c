import Foundation

// Pointwise activations with their derivatives, and GEGLU (a · GELU(gate) over the two halves of
// the last dimension) as one fused op.

enum PointwiseActivation { case relu, silu, gelu }

/// out = f(x) for one activation; the switch sits outside the loops so each loop is a plain
/// specialised kernel.
func pointwise(_ kind: PointwiseActivation, _ x: Tensor) -> Tensor {
    let out = Tensor.uninitialized(x.shape)
    let src = x.storage.pointer, dst = out.storage.pointer
    parallelChunks(x.count, minimumPerThread: 32_768) { r in
        switch kind {
        case .relu: for i in r { dst[i] = max(src[i], 0) }
        case .silu: siluKernel(src, dst, r)
        case .gelu: geluKernel(src, dst, r)
        }
    }
    return out.recording([x]) { g in
        let gx = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = gx.storage.pointer
        parallelChunks(x.count, minimumPerThread: 32_768) { r in
            switch kind {
            case .relu: for i in r { dp[i] = src[i] > 0 ? gp[i] : 0 }
            case .silu: siluPullbackKernel(src, gp, dp, r)
            case .gelu: geluPullbackKernel(src, gp, dp, r)
            }
        }
        return [gx]
    }
}

/// max(x, 0).
public func relu(_ x: Tensor) -> Tensor { pointwise(.relu, x) }

/// x · σ(x).
public func silu(_ x: Tensor) -> Tensor { pointwise(.silu, x) }

/// Exact GELU: x · Φ(x) = 0.5 · x · (1 + erf(x/√2)).
public func gelu(_ x: Tensor) -> Tensor { pointwise(.gelu, x) }

/// GEGLU: x [*, 2F] → a · GELU(gate) [*, F], with a the first and gate the second half of the last dimension.
public func geglu(_ x: Tensor) -> Tensor {
    let twoF = x.shape.last ?? 0
    require(twoF % 2 == 0, "geglu needs an even last dimension, got \(x.shape)")
    let f = twoF / 2, rows = x.count / max(twoF, 1)
    let out = Tensor.uninitialized(Array(x.shape.dropLast()) + [f])
    let src = x.storage.pointer, dst = out.storage.pointer
    parallelChunks(rows, minimumPerThread: max(1, 16_384 / max(f, 1))) { range in
        for r in range {
            let a = src + r * twoF
            gegluRow(a, a + f, dst + r * f, f)
        }
    }
    return out.recording([x]) { g in
        let gx = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = gx.storage.pointer
        parallelChunks(rows, minimumPerThread: max(1, 16_384 / max(f, 1))) { range in
            for r in range {
                let a = src + r * twoF, da = dp + r * twoF
                gegluPullbackRow(a, a + f, gp + r * f, da, da + f, f)
            }
        }
        return [gx]
    }
}

// The kernels, out of line so the vector math inlines into their loops (see `vectorMap`).

/// y = x·σ(x) over `range`.
@inline(never)
func siluKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    struct SiLU: LaneFunction { @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { x * vectorSigmoid(x) } }
    vectorMap(x, y, range, SiLU())
}

/// dx = g·σ(x)·(1 + x·(1 − σ(x))) over `range`.
@inline(never)
func siluPullbackKernel(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    struct SiLUPullback: LaneFunction2 {
        @inline(__always) func callAsFunction(_ x: FloatVector, _ g: FloatVector) -> FloatVector {
            let sig = vectorSigmoid(x)
            return g * sig * multiplyAdd(x, 1 - sig, FloatVector(repeating: 1))
        }
    }
    vectorMap(x, g, dx, range, SiLUPullback())
}

/// y = GELU(x) over `range`.
@inline(never)
func geluKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    struct GELU: LaneFunction { @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { vectorGelu(x) } }
    vectorMap(x, y, range, GELU())
}

/// dx = g·GELU′(x) over `range`.
@inline(never)
func geluPullbackKernel(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    struct GELUPullback: LaneFunction2 {
        @inline(__always) func callAsFunction(_ x: FloatVector, _ g: FloatVector) -> FloatVector { g * vectorGeluAndDerivative(x).derivative }
    }
    vectorMap(x, g, dx, range, GELUPullback())
}

/// o = a·GELU(gate) for one row of n.
@inline(never)
func gegluRow(_ a: UnsafePointer<Float>, _ gate: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    struct GEGLU: LaneFunction2 { @inline(__always) func callAsFunction(_ a: FloatVector, _ gate: FloatVector) -> FloatVector { a * vectorGelu(gate) } }
    vectorMap(a, gate, o, 0..<n, GEGLU())
}

/// da = g·GELU(gate), dgate = g·a·GELU′(gate) for one row of n.
@inline(never)
func gegluPullbackRow(_ a: UnsafePointer<Float>, _ gate: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                      _ da: UnsafeMutablePointer<Float>, _ dgate: UnsafeMutablePointer<Float>, _ n: Int) {
    // One loop body for whole vectors and the tail: with two copies of the GELU math the
    // optimiser left the second as a call.
    var i = 0
    while i < n {
        let count = n - i, whole = count >= 16
        let gateV = whole ? loadVector(gate, i) : loadPartialVector(gate, i, count: count, padding: 0)
        let gv = whole ? loadVector(g, i) : loadPartialVector(g, i, count: count, padding: 0)
        let av = whole ? loadVector(a, i) : loadPartialVector(a, i, count: count, padding: 0)
        let (value, derivative) = vectorGeluAndDerivative(gateV)
        if whole {
            storeVector(gv * value, da, i); storeVector(gv * av * derivative, dgate, i)
        } else {
            storePartialVector(gv * value, da, i, count: count); storePartialVector(gv * av * derivative, dgate, i, count: count)
        }
        i += 16
    }
}
