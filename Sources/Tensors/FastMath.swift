// exp and erf as straight-line arithmetic, so loops calling them auto-vectorise (libm's expf /
// erff are opaque calls: 17% of a training step when they were used).

/// e^x to about 1 ulp on [−87.3, 88.7]: x = n·ln2 + f with |f| ≤ ln2/2, e^f by a degree-6
/// polynomial (Cephes' coefficients), 2^n by building the exponent bits. Returns 0 below −87.3
/// (so a masked −∞ logit gets exactly zero weight) and saturates above 88.7.
@inline(__always)
public func fastExp(_ x: Float) -> Float {
    // Ternaries, not min/max (whose NaN rules block vectorisation).
    let low = x < -87.3 ? Float(-87.3) : x
    let clamped = low > 88.7 ? Float(88.7) : low
    // Round to nearest by adding 1.5·2²³: the integer n then sits in the low mantissa bits, so
    // no (trapping, scalar) Float→Int conversion is needed.
    let shifted = clamped * 1.442_695_04 + 12_582_912
    let n = shifted - 12_582_912
    let f = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * f + 1.398_199_95e-3
    p = p * f + 8.333_451_9e-3
    p = p * f + 4.166_579_59e-2
    p = p * f + 1.666_666_55e-1
    p = p * f + 5.000_000_12e-1
    let y = p * f * f + f + 1
    let exponent = (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23
    let result = y * Float(bitPattern: exponent)
    return x < -87.3 ? 0 : result
}

/// erf(x) with |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26), odd-extended.
@inline(__always)
public func fastErf(_ x: Float) -> Float {
    let a = x < 0 ? -x : x
    let t = 1 / (1 + 0.327_591_1 * a)
    var p: Float = 1.061_405_429
    p = p * t - 1.453_152_027
    p = p * t + 1.421_413_741
    p = p * t - 0.284_496_736
    p = p * t + 0.254_829_592
    let r = 1 - p * t * fastExp(-a * a)
    return x < 0 ? -r : r
}

/// Largest of n floats, eight lanes at a time (a plain loop would not vectorise: float max
/// reductions need reassociation). `.>` + `replace` lowers to a vector compare and blend.
@inline(__always)
func vectorMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var lanes = SIMD8<Float>(repeating: -.infinity)
    let raw = UnsafeRawPointer(x)
    while i + 8 <= n {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        lanes.replace(with: v, where: v .> lanes)
        i += 8
    }
    var m = lanes.max()
    while i < n { m = x[i] > m ? x[i] : m; i += 1 }
    return m
}

/// Sum of n floats, eight lanes at a time.
@inline(__always)
func vectorSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var lanes = SIMD8<Float>()
    let raw = UnsafeRawPointer(x)
    while i + 8 <= n {
        lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = lanes.sum()
    while i < n { s += x[i]; i += 1 }
    return s
}

/// Σ (x − mean)², eight lanes at a time.
@inline(__always)
func vectorSquaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    var i = 0
    var lanes = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean), raw = UnsafeRawPointer(x)
    while i + 8 <= n {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m
        lanes += d * d
        i += 8
    }
    var s = lanes.sum()
    while i < n { let d = x[i] - mean; s += d * d; i += 1 }
    return s
}
