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
        case .silu: for i in r { dst[i] = src[i] / (1 + fastExp(-src[i])) }
        case .gelu: for i in r { dst[i] = geluValue(src[i]) }
        }
    }
    return out.recording([x]) { g in
        let gx = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = gx.storage.pointer
        parallelChunks(x.count, minimumPerThread: 32_768) { r in
            switch kind {
            case .relu: for i in r { dp[i] = src[i] > 0 ? gp[i] : 0 }
            case .silu:
                for i in r {
                    let v = src[i], sig = 1 / (1 + fastExp(-v))
                    dp[i] = gp[i] * sig * (1 + v * (1 - sig))
                }
            case .gelu: for i in r { dp[i] = gp[i] * geluDerivative(src[i]) }
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

@inline(__always) func geluValue(_ v: Float) -> Float { 0.5 * v * (1 + fastErf(v * 0.70710678118654752)) }

/// Φ(x) + x·φ(x).
@inline(__always) func geluDerivative(_ v: Float) -> Float {
    0.5 * (1 + fastErf(v * 0.70710678118654752)) + v * 0.39894228040143268 * fastExp(-0.5 * v * v)
}

/// (GELU(v), GELU′(v)) sharing one erf and one exp: erf(v/√2)'s own e^(−v²/2) is also the
/// normal density's, so the pair costs what GELU alone cost (the GEGLU pullback needs both).
@inline(__always) func geluValueAndDerivative(_ v: Float) -> (Float, Float) {
    let a = (v < 0 ? -v : v) * 0.70710678118654752
    let t = 1 / (1 + 0.327_591_1 * a)
    var p: Float = 1.061_405_429
    p = p * t - 1.453_152_027
    p = p * t + 1.421_413_741
    p = p * t - 0.284_496_736
    p = p * t + 0.254_829_592
    let e = fastExp(-a * a)
    let r = 1 - p * t * e
    let cdf = 0.5 * (1 + (v < 0 ? -r : r))
    return (v * cdf, cdf + v * 0.39894228040143268 * e)
}

/// GEGLU: x [*, 2F] → a · GELU(gate) [*, F], with a the first and gate the second half of the last dimension.
public func geglu(_ x: Tensor) -> Tensor {
    let twoF = x.shape.last ?? 0
    require(twoF % 2 == 0, "geglu needs an even last dimension, got \(x.shape)")
    let f = twoF / 2, rows = x.count / max(twoF, 1)
    let out = Tensor.uninitialized(Array(x.shape.dropLast()) + [f])
    let src = x.storage.pointer, dst = out.storage.pointer
    parallelChunks(rows, minimumPerThread: max(1, 16_384 / max(f, 1))) { range in
        for r in range {
            let a = src + r * twoF, gate = a + f, o = dst + r * f
            for i in 0..<f { o[i] = a[i] * geluValue(gate[i]) }
        }
    }
    return out.recording([x]) { g in
        let gx = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = gx.storage.pointer
        parallelChunks(rows, minimumPerThread: max(1, 16_384 / max(f, 1))) { range in
            for r in range {
                let a = src + r * twoF, gate = a + f, gr = gp + r * f, da = dp + r * twoF, dgate = da + f
                for i in 0..<f {
                    let (value, derivative) = geluValueAndDerivative(gate[i])
                    da[i] = gr[i] * value
                    dgate[i] = gr[i] * a[i] * derivative
                }
            }
        }
        return [gx]
    }
}
