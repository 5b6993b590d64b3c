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

/// Sum of n floats, sixteen lanes at a time with two accumulators (a plain loop would not
/// vectorise: float reductions need reassociation), the tail padded with zeros.
@inline(never)
func vectorSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var a = FloatVector(), b = FloatVector()
    while i + 32 <= n { a += loadVector(x, i); b += loadVector(x, i + 16); i += 32 }
    if i + 16 <= n { a += loadVector(x, i); i += 16 }
    if i < n { b += loadPartialVector(x, i, count: n - i, padding: 0) }
    return horizontalSum(a + b)
}

/// Σ (x − mean)², sixteen lanes at a time with two accumulators, the tail padded with the mean.
@inline(never)
func vectorSquaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    var i = 0
    var a = FloatVector(), b = FloatVector()
    let m = FloatVector(repeating: mean)
    while i + 32 <= n {
        let d = loadVector(x, i) - m, e = loadVector(x, i + 16) - m
        a = multiplyAdd(d, d, a); b = multiplyAdd(e, e, b); i += 32
    }
    if i + 16 <= n { let d = loadVector(x, i) - m; a = multiplyAdd(d, d, a); i += 16 }
    if i < n { let d = loadPartialVector(x, i, count: n - i, padding: mean) - m; b = multiplyAdd(d, d, b) }
    return horizontalSum(a + b)
}

// MARK: - Sixteen lanes at a time

// The loops above vectorise only as far as the auto-vectoriser goes: eight lanes (the compiler
// prefers 256-bit vectors) and separate multiplies and adds (Swift never contracts a·b + c into
// an FMA). The kernels below work on SIMD16<Float> explicitly — one AVX-512 register, two AVX2
// ones — with fused multiply-adds where the target has them.

/// Sixteen floats, the width of every explicit vector kernel.
typealias FloatVector = SIMD16<Float>

/// a·b + c, rounded once where the target has FMA (`SGD_FMA`, set by Package.swift), else
/// rounded twice (a libm call per lane would be far slower than the extra rounding costs).
@inline(__always)
func multiplyAdd(_ a: FloatVector, _ b: FloatVector, _ c: FloatVector) -> FloatVector {
    #if SGD_FMA || arch(arm64)
    return c.addingProduct(a, b)
    #else
    return a * b + c
    #endif
}

/// e^x lane by lane, within 1 ulp on [−87.3, 88.3] (worst 0.96 ulp against libm over 475 000
/// points with FMA; the test's bound is 2 ulp, `fastExp`'s 3). Below −87.3 (including −∞ from masked logits) the result is exactly 0;
/// from 88.38 on it is +∞, as for `fastExp`; NaN stays NaN.
///
/// Range reduction: x = n·ln2 + f with n = round(x/ln2), |f| ≤ ln2/2, so e^x = 2^n · e^f.
/// - n: adding 1.5·2²³ to x·log₂e leaves no room for fraction bits, so the sum is rounded to an
///   integer that sits in the low mantissa bits (no Float→Int conversion, which has no
///   lane-wise form that survives out-of-range lanes); subtracting the constant again gives n.
/// - f = x − n·ln2 in two steps: ln2 = 0.693359375 − 2.12194440e−4 + O(1e−12), where the first
///   part has 9 significant bits, so n·0.693359375 (|n| ≤ 128) and its difference from x
///   (a small difference of floats with the same ulps) are exact; only the correction rounds.
/// - e^f = 1 + f + f²·q(f), q of degree 4 fitted for least maximum relative error over
///   |f| ≤ 0.3471 (iteratively reweighted least squares, in Double): 3.1e−9 with the exact
///   coefficients, 4.3e−9 with them rounded to Float — far below Float's 6e−8 rounding, so the
///   error is that of the last few roundings. Writing 1 + f + f²·q keeps the large, exact terms
///   out of the rounded polynomial.
/// - 2^n: n + 127 in the exponent field (n ∈ [−126, 128]; 128 is the +∞ pattern).
@inline(__always)
func vectorExp(_ x: FloatVector) -> FloatVector {
    let low: Float = -87.3, high: Float = 88.7
    let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    let roundingShift = FloatVector(repeating: 12_582_912)          // 1.5·2²³
    let shifted = multiplyAdd(clamped, FloatVector(repeating: 1.442_695_04), roundingShift)
    let n = shifted - roundingShift
    let fHigh = multiplyAdd(n, FloatVector(repeating: -0.693_359_375), clamped)
    let f = multiplyAdd(n, FloatVector(repeating: 2.121_944_40e-4), fHigh)
    var q = FloatVector(repeating: 1.381_437_06e-3)
    q = multiplyAdd(q, f, FloatVector(repeating: 8.368_815_30e-3))
    q = multiplyAdd(q, f, FloatVector(repeating: 4.166_839_64e-2))
    q = multiplyAdd(q, f, FloatVector(repeating: 1.666_651_96e-1))
    q = multiplyAdd(q, f, FloatVector(repeating: 4.999_999_40e-1))
    let y = multiplyAdd(f * f, q, f) + 1
    // shifted's bit pattern is 0x4B40_0000 + n; the exponent field wants n + 127.
    let exponent = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- (0x4B40_0000 - 127)) &<< 23
    let result = y * unsafeBitCast(exponent, to: FloatVector.self)
    return result.replacing(with: 0, where: x .< low)
}

/// erf(x) lane by lane with |error| < 1.5e−7 (Abramowitz & Stegun 7.1.26, as `fastErf`), from
/// |x| and odd-extended. Returns (erf(x), e^(−x²)) — GELU′ needs the latter too.
@inline(__always)
func vectorErfAndGaussian(_ x: FloatVector) -> (erf: FloatVector, gaussian: FloatVector) {
    let a = x.replacing(with: -x, where: x .< 0)
    let t = 1 / multiplyAdd(a, FloatVector(repeating: 0.327_591_1), FloatVector(repeating: 1))
    var p = FloatVector(repeating: 1.061_405_429)
    p = multiplyAdd(p, t, FloatVector(repeating: -1.453_152_027))
    p = multiplyAdd(p, t, FloatVector(repeating: 1.421_413_741))
    p = multiplyAdd(p, t, FloatVector(repeating: -0.284_496_736))
    p = multiplyAdd(p, t, FloatVector(repeating: 0.254_829_592))
    let gaussian = vectorExp(-(a * a))
    let r = 1 - p * t * gaussian
    return (r.replacing(with: -r, where: x .< 0), gaussian)
}

/// GELU(v) = v·Φ(v) = ½·v·(1 + erf(v/√2)) lane by lane.
@inline(__always)
func vectorGelu(_ v: FloatVector) -> FloatVector {
    let e = vectorErfAndGaussian(v * 0.707_106_781_186_547_52).erf
    return 0.5 * v * (1 + e)
}

/// (GELU(v), GELU′(v) = Φ(v) + v·φ(v)) lane by lane, sharing one erf and one exp: erf(v/√2)'s
/// e^(−v²/2) is also the normal density's.
@inline(__always)
func vectorGeluAndDerivative(_ v: FloatVector) -> (value: FloatVector, derivative: FloatVector) {
    let (e, gaussian) = vectorErfAndGaussian(v * 0.707_106_781_186_547_52)
    let cdf = 0.5 * (1 + e)
    return (v * cdf, multiplyAdd(v * 0.398_942_280_401_432_68, gaussian, cdf))
}

/// σ(z) = 1 / (1 + e^(−z)) lane by lane; e^(−z) = +∞ for z ≤ −88.4 gives exactly 0.
@inline(__always)
func vectorSigmoid(_ z: FloatVector) -> FloatVector { 1 / (1 + vectorExp(-z)) }

/// Sum of the sixteen lanes by halving (8 + 4 + 2 + 1 adds on shrinking vectors) — `SIMD.sum()`
/// adds the lanes one after another and is an out-of-line call.
@inline(__always)
func horizontalSum(_ v: FloatVector) -> Float {
    let a = v.lowHalf + v.highHalf, b = a.lowHalf + a.highHalf, c = b.lowHalf + b.highHalf
    return c[0] + c[1]
}

/// Largest of the sixteen lanes by halving (compare-and-blend, which ignores NaN rules as the
/// scalar ternaries do; `pointwiseMax` is an out-of-line call).
@inline(__always)
func horizontalMax(_ v: FloatVector) -> Float {
    var a = v.lowHalf; a.replace(with: v.highHalf, where: v.highHalf .> a)
    var b = a.lowHalf; b.replace(with: a.highHalf, where: a.highHalf .> b)
    var c = b.lowHalf; c.replace(with: b.highHalf, where: b.highHalf .> c)
    return c[1] > c[0] ? c[1] : c[0]
}

/// Sixteen floats from p + i (no alignment needed).
@inline(__always)
func loadVector(_ p: UnsafePointer<Float>, _ i: Int) -> FloatVector {
    UnsafeRawPointer(p + i).loadUnaligned(as: FloatVector.self)
}

/// The first `count` (< 16) floats from p + i, the other lanes `padding` — for row tails, so a
/// row of any length runs through the same vector arithmetic and no load reads past its end.
@inline(__always)
func loadPartialVector(_ p: UnsafePointer<Float>, _ i: Int, count: Int, padding: Float) -> FloatVector {
    var v = FloatVector(repeating: padding)
    for j in 0..<count { v[j] = p[i + j] }
    return v
}

/// Stores sixteen floats at p + i (no alignment needed).
@inline(__always)
func storeVector(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: FloatVector.self)
}

/// Stores the first `count` (< 16) lanes at p + i.
@inline(__always)
func storePartialVector(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, _ i: Int, count: Int) {
    for j in 0..<count { p[i + j] = v[j] }
}

/// A lane-wise function of one vector, for `vectorMap`. A struct with an always-inlined method
/// rather than a closure: the optimiser declined to inline closures holding the exp/erf math and
/// called them once per vector, passing every vector through memory.
protocol LaneFunction { func callAsFunction(_ x: FloatVector) -> FloatVector }

/// A lane-wise function of two vectors, for `vectorMap`.
protocol LaneFunction2 { func callAsFunction(_ a: FloatVector, _ b: FloatVector) -> FloatVector }

/// dst[i] = f(src[i]) over `range`, sixteen lanes at a time, the tail padded with zeros. Call it
/// from a small `@inline(never)` kernel: inlined into a large caller, `vectorGelu` & co. were
/// left as calls (GEGLU ran 1.8× slower).
@inline(__always)
func vectorMap<F: LaneFunction>(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ f: F) {
    var i = range.lowerBound
    while i + 16 <= range.upperBound { storeVector(f(loadVector(src, i)), dst, i); i += 16 }
    let tail = range.upperBound - i
    if tail > 0 { storePartialVector(f(loadPartialVector(src, i, count: tail, padding: 0)), dst, i, count: tail) }
}

/// dst[i] = f(a[i], b[i]) over `range`, like `vectorMap`.
@inline(__always)
func vectorMap<F: LaneFunction2>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                 _ range: Range<Int>, _ f: F) {
    var i = range.lowerBound
    while i + 16 <= range.upperBound { storeVector(f(loadVector(a, i), loadVector(b, i)), dst, i); i += 16 }
    let tail = range.upperBound - i
    if tail > 0 {
        let v = f(loadPartialVector(a, i, count: tail, padding: 0), loadPartialVector(b, i, count: tail, padding: 0))
        storePartialVector(v, dst, i, count: tail)
    }
}
