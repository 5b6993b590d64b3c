import Foundation
import Testing
@testable import Tensors

/// The SIMD16 kernels (`FastMath.swift`): accuracy against libm in Double, the special values a
/// softmax meets (−∞ from masks, very negative logits, exactly 0), and rows whose length is not
/// a multiple of the sixteen lanes.
@Suite struct VectorMathTests {
    /// e^x for every x in `xs`, sixteen at a time through `vectorExp`.
    func vectorExpAll(_ xs: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: xs.count)
        var i = 0
        while i < xs.count {
            var v = FloatVector(repeating: 0)
            for j in 0..<min(16, xs.count - i) { v[j] = xs[i + j] }
            let e = vectorExp(v)
            for j in 0..<min(16, xs.count - i) { out[i + j] = e[j] }
            i += 16
        }
        return out
    }

    /// |approx − exact| in units of the last place of the Float nearest `exact`.
    func ulps(_ approx: Float, _ exact: Double) -> Double {
        abs(Double(approx) - exact) / Double(Float(exact).ulp)
    }

    @Test func expIsWithinTwoUlpsOverTheWholeRange() {
        // Every 0.00037 from −87.3 (the smallest normal result) to 88.3 (just below overflow):
        // about 475 000 points, with n = round(x/ln2) taking all of its 254 values.
        var xs: [Float] = []
        var x: Double = -87.3
        while x < 88.3 { xs.append(Float(x)); x += 0.000_37 }
        let e = vectorExpAll(xs)
        var worst = 0.0, at: Float = 0
        for (x, y) in zip(xs, e) { let u = ulps(y, Foundation.exp(Double(x))); if u > worst { worst = u; at = x } }
        #expect(worst <= 2, "worst \(worst) ulp at \(at)")
        // The same bound as a relative error, as fastExp's test states it (3 ulp = 3.6e−7).
        var worstRelative = 0.0
        for (x, y) in zip(xs, e) { let exact = Foundation.exp(Double(x)); worstRelative = max(worstRelative, abs(Double(y) - exact) / exact) }
        #expect(worstRelative < 3.6e-7, "\(worstRelative)")
    }

    @Test func expIsAccurateAroundTheReductionBoundaries() {
        // f = x − n·ln2 reaches ±ln2/2 where n changes; check densely around those points and
        // across [−1, 1], where softmax weights near the maximum live.
        var xs: [Float] = []
        for n in [-126, -60, -3, -1, 0, 1, 3, 60, 126] {
            let edge = (Double(n) + 0.5) * M_LN2
            var x = edge - 0.01
            while x < edge + 0.01 { xs.append(Float(x)); x += 1e-5 }
        }
        var x = -1.0
        while x < 1 { xs.append(Float(x)); x += 3e-6 }
        let e = vectorExpAll(xs)
        var worst = 0.0
        for (x, y) in zip(xs, e) where Double(x) > -87.3 && Double(x) < 88.3 { worst = max(worst, ulps(y, Foundation.exp(Double(x)))) }
        #expect(worst <= 2, "worst \(worst) ulp")
    }

    @Test func expSpecialValues() {
        let xs: [Float] = [0, -0.0, -.infinity, -1e30, -1000, -100, -87.31, -87.3, 1, -1, 88.3, 88.4, 100, .infinity, .nan, .greatestFiniteMagnitude]
        let e = vectorExpAll(xs)
        #expect(e[0] == 1 && e[1] == 1)                      // e^0 exactly 1
        #expect(e[2] == 0 && e[3] == 0 && e[4] == 0 && e[5] == 0 && e[6] == 0)  // masked / very negative → 0, not NaN
        #expect(e[7] > 0 && e[7] < 1.3e-38 && e[7].isNormal)  // the smallest input that is not flushed
        #expect(abs(e[8] - Float(M_E)) <= Float(M_E).ulp && abs(e[9] - Float(1 / M_E)) <= Float(1 / M_E).ulp)
        #expect(e[10].isFinite && ulps(e[10], Foundation.exp(Double(xs[10]))) <= 2)
        #expect(e[11] == .infinity && e[12] == .infinity && e[13] == .infinity && e[15] == .infinity)
        #expect(e[14].isNaN)
        #expect(!e.enumerated().contains { $0.offset != 14 && $0.element.isNaN })
    }

    @Test func erfAndGaussianAreWithinTheirBounds() {
        var worstErf = 0.0, worstGaussian = 0.0
        var x: Float = -6
        while x < 6 {
            var v = FloatVector(repeating: 0)
            for j in 0..<16 { v[j] = x + Float(j) * 0.000_7 }
            let (e, g) = vectorErfAndGaussian(v)
            for j in 0..<16 {
                let d = Double(v[j])
                worstErf = max(worstErf, abs(Double(e[j]) - Foundation.erf(d)))
                // Against e^(−x²) with x² rounded to Float as the kernel forms it: that rounding
                // alone is worth up to x²·2⁻²⁴ relative (2e−6 at |x| = 6), the exp adds ≤ 2 ulp.
                let exact = Foundation.exp(-Double(v[j] * v[j]))
                if exact > 1e-37 { worstGaussian = max(worstGaussian, ulps(g[j], exact)) }
            }
            x += 16 * 0.000_7
        }
        #expect(worstErf < 5e-7, "\(worstErf)")          // A&S 7.1.26's 1.5e−7 plus Float rounding, as fastErf
        #expect(worstGaussian <= 2, "\(worstGaussian)")
    }

    /// GELU and GELU′ against Φ and φ in Double, and SiLU's σ at the extremes.
    @Test func geluPairAndSigmoidMatchExactFormulas() {
        var worst: (Double, Double) = (0, 0)
        var v: Float = -9
        while v < 9 {
            let vs = FloatVector((0..<16).map { v + Float($0) * 0.000_917 })
            let (value, derivative) = vectorGeluAndDerivative(vs)
            let alone = vectorGelu(vs)
            for j in 0..<16 {
                let d = Double(vs[j]), cdf = 0.5 * (1 + erf(d / 2.0.squareRoot())), pdf = exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
                worst.0 = max(worst.0, abs(Double(value[j]) - d * cdf), abs(Double(alone[j]) - d * cdf))
                worst.1 = max(worst.1, abs(Double(derivative[j]) - (cdf + d * pdf)))
            }
            v += 16 * 0.000_917
        }
        #expect(worst.0 < 2e-6 && worst.1 < 2e-6, "\(worst)")

        let z = FloatVector([-1000, -100, -88.5, -20, -1, 0, 1, 20, 88.5, 100, 1000, -.infinity, .infinity, 0.5, -0.5, 3])
        let s = vectorSigmoid(z)
        for j in 0..<16 {
            let exact = 1 / (1 + Foundation.exp(-Double(z[j])))
            #expect(!s[j].isNaN && abs(Double(s[j]) - exact) <= 2e-7 * max(exact, 1e-30) + 1e-38, "σ(\(z[j])) = \(s[j])")
        }
    }

    // MARK: - Rows of any length

    /// Softmax of one row in Double (−∞ entries get weight 0; all −∞ gives zeros).
    func referenceSoftmax(_ x: [Float]) -> [Double] {
        let m = x.map(Double.init).max() ?? 0
        guard m > -.infinity else { return x.map { _ in 0 } }
        let e = x.map { exp(Double($0) - m) }, z = e.reduce(0, +)
        return e.map { $0 / z }
    }

    @Test(arguments: [1, 7, 15, 16, 17, 31, 255, 256])
    func softmaxRowsOfEveryLength(n: Int) {
        var rng = RandomGenerator(seed: UInt64(n))
        var x = (0..<n).map { _ in Float(rng.nextNormal()) * 4 }
        if n > 2 { x[1] = -.infinity; x[n - 1] = -80 }   // a masked key and a vanishing one
        let reference = referenceSoftmax(x)
        var y = [Float](repeating: .nan, count: n)
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in softmaxRow(xb.baseAddress!, yb.baseAddress!, n) } }
        for j in 0..<n { #expect(abs(Double(y[j]) - reference[j]) <= 1e-6 * max(reference[j], 1e-3), "n \(n) [\(j)]: \(y[j]) vs \(reference[j])") }
        if n > 2 { #expect(y[1] == 0) }
        #expect(abs(y.reduce(0, +) - 1) < 1e-5)
        // In place (attention's use) gives the same bits.
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { b in softmaxRow(b.baseAddress!, b.baseAddress!, n) }
        #expect(inPlace == y)
        // With an additive mask row: the masked keys get exactly zero weight, the rest renormalise.
        let bias = (0..<n).map { $0 % 3 == 2 ? -Float.infinity : 0 }
        var masked = [Float](repeating: .nan, count: n)
        x.withUnsafeBufferPointer { xb in bias.withUnsafeBufferPointer { bb in masked.withUnsafeMutableBufferPointer { mb in
            softmaxRow(xb.baseAddress!, mb.baseAddress!, n, bias: bb.baseAddress!)
        } } }
        let maskedReference = referenceSoftmax(zip(x, bias).map { $0 + $1 })
        for j in 0..<n {
            if bias[j] != 0 { #expect(masked[j] == 0) }
            #expect(abs(Double(masked[j]) - maskedReference[j]) <= 1e-6 * max(maskedReference[j], 1e-3))
        }
    }

    @Test(arguments: [1, 7, 17, 255])
    func fullyMaskedRowsAreZeros(n: Int) {
        let x = [Float](repeating: -.infinity, count: n)
        var y = [Float](repeating: .nan, count: n)
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in softmaxRow(xb.baseAddress!, yb.baseAddress!, n) } }
        #expect(y.allSatisfy { $0 == 0 })
        // Finite scores, every key masked by the bias row.
        let finite = (0..<n).map { Float($0) }, bias = [Float](repeating: -.infinity, count: n)
        y = [Float](repeating: .nan, count: n)
        finite.withUnsafeBufferPointer { xb in bias.withUnsafeBufferPointer { bb in y.withUnsafeMutableBufferPointer { yb in
            softmaxRow(xb.baseAddress!, yb.baseAddress!, n, bias: bb.baseAddress!)
        } } }
        #expect(y.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [1, 7, 15, 17, 255])
    func softmaxRowBackwardMatchesFormula(n: Int) {
        var rng = RandomGenerator(seed: UInt64(100 + n))
        let x = (0..<n).map { _ in Float(rng.nextNormal()) }, g = (0..<n).map { _ in Float(rng.nextNormal()) }
        let y = referenceSoftmax(x).map(Float.init)
        var dx = g
        y.withUnsafeBufferPointer { yb in dx.withUnsafeMutableBufferPointer { db in softmaxRowBackward(yb.baseAddress!, db.baseAddress!, db.baseAddress!, n) } }
        let dot = zip(g, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        for j in 0..<n { #expect(abs(Double(dx[j]) - Double(y[j]) * (Double(g[j]) - dot)) < 1e-6) }
    }

    @Test(arguments: [[3, 1], [2, 7], [2, 17], [1, 255]])
    func softmaxGradientsForTailLengths(shape: [Int]) {
        let x = randomTensor(shape, seed: 11, std: 2)
        let check = GradientCheck.run([x], samples: 40) { softmax($0[0]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// Attention with key counts around the vector width, a mask that hides every key of one
    /// image (its outputs and gradients must be zeros, not NaN), and finite-difference gradients.
    @Test(arguments: [(2, 3, 17, 8, 2), (2, 15, 7, 6, 3), (1, 5, 33, 4, 1)])
    func attentionWithTailsAndFullyMaskedImage(c: (Int, Int, Int, Int, Int)) {
        let (batch, nq, nk, channels, heads) = c
        let q = randomTensor([batch, nq, channels], seed: 21), k = randomTensor([batch, nk, channels], seed: 22)
        let v = randomTensor([batch, nk, channels], seed: 23)
        // Image 0 attends to every third key; the last image attends to none when there are two.
        let mask = (0..<(batch * nk)).map { i in batch > 1 && i >= (batch - 1) * nk ? false : i % 3 == 0 }
        let out = scaledDotProductAttention(query: q, key: k, value: v, heads: heads, keyMask: mask)
        #expect(maxAbsDifference(out.scalars, naiveAttention(q, k, v, heads: heads, mask: mask)) < 1e-5)
        #expect(!out.scalars.contains { $0.isNaN })
        if batch > 1 { #expect(out.scalars[((batch - 1) * nq * channels)...].allSatisfy { $0 == 0 }) }
        let check = GradientCheck.run([q, k, v], samples: 40) {
            scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], heads: heads, keyMask: mask)
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
        let unmasked = scaledDotProductAttention(query: q, key: k, value: v, heads: heads)
        #expect(maxAbsDifference(unmasked.scalars, naiveAttention(q, k, v, heads: heads, mask: nil)) < 1e-5)
    }

    /// SiLU, GELU and GEGLU on lengths with a tail, against the formulas and finite differences.
    @Test(arguments: [1, 7, 17, 33])
    func activationsWithTails(n: Int) {
        let x = randomTensor([2, n], seed: 31, std: 2), xv = x.scalars.map(Double.init)
        #expect(maxAbsDifference(silu(x).scalars, xv.map { Float($0 / (1 + exp(-$0))) }) < 1e-6)
        #expect(maxAbsDifference(gelu(x).scalars, xv.map { Float(0.5 * $0 * (1 + erf($0 / 2.0.squareRoot()))) }) < 1e-6)
        let twice = randomTensor([3, 2 * n], seed: 32, std: 2), tv = twice.scalars.map(Double.init)
        let y = geglu(twice).scalars
        for r in 0..<3 { for i in 0..<n {
            let a = tv[r * 2 * n + i], gate = tv[r * 2 * n + n + i]
            #expect(abs(Double(y[r * n + i]) - a * 0.5 * gate * (1 + erf(gate / 2.0.squareRoot()))) < 1e-5)
        } }
        for op in [silu, gelu] {
            let check = GradientCheck.run([x], samples: 40) { op($0[0]) }
            #expect(check.maxError < gradientTolerance, "\(check.worst)")
        }
        let check = GradientCheck.run([twice], samples: 40) { geglu($0[0]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// Group norm (and its SiLU fusion) over positions per channel around the vector width.
    @Test(arguments: [7, 16, 17, 33])
    func groupNormWithTails(spatial: Int) {
        let x = randomTensor([2, 4, spatial], seed: 41, std: 1.5)
        let w = randomTensor([4], seed: 42), b = randomTensor([4], seed: 43)
        for fused in [false, true] {
            let y = fused ? groupNormSiLU(x, groups: 2, weight: w, bias: b) : groupNorm(x, groups: 2, weight: w, bias: b)
            let xv = x.scalars.map(Double.init), wv = w.scalars.map(Double.init), bv = b.scalars.map(Double.init)
            var worst = 0.0
            for n in 0..<2 { for g in 0..<2 {
                let start = (n * 4 + g * 2) * spatial, group = xv[start..<(start + 2 * spatial)]
                let mean = group.reduce(0, +) / Double(group.count)
                let variance = group.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(group.count)
                for i in 0..<(2 * spatial) {
                    let c = g * 2 + i / spatial
                    var z = (xv[start + i] - mean) / (variance + 1e-5).squareRoot() * wv[c] + bv[c]
                    if fused { z = z / (1 + exp(-z)) }
                    worst = max(worst, abs(Double(y.scalars[start + i]) - z))
                }
            } }
            #expect(worst < 2e-5, "fused \(fused): \(worst)")
            let check = GradientCheck.run([x, w, b], samples: 40) {
                fused ? groupNormSiLU($0[0], groups: 2, weight: $0[1], bias: $0[2]) : groupNorm($0[0], groups: 2, weight: $0[1], bias: $0[2])
            }
            #expect(check.maxError < gradientTolerance, "fused \(fused): \(check.worst)")
        }
    }

    /// summed(toShape:)'s contiguous kernels (row sums and row accumulation) on lengths around
    /// the vector width, against Double sums.
    @Test(arguments: [1, 7, 16, 17, 33, 255])
    func broadcastSumsWithTails(n: Int) {
        let x = randomTensor([3, n], seed: 51), xv = x.scalars.map(Double.init)
        let rows = x.summed(toShape: [3, 1]).scalars, columns = x.summed(toShape: [1, n]).scalars
        for r in 0..<3 {
            let exact = (0..<n).reduce(0.0) { $0 + xv[r * n + $1] }
            #expect(abs(Double(rows[r]) - exact) < 1e-6 * Double(n))
        }
        for j in 0..<n { #expect(abs(Double(columns[j]) - (xv[j] + xv[n + j] + xv[2 * n + j])) < 1e-6) }
        #expect(x.summed(toShape: [1, 1]).scalars[0].isFinite)
    }

    /// Layer norm's vectorised pullback on feature counts around the vector width: values against
    /// Double, gradients (input and affine) by finite differences.
    @Test(arguments: [7, 16, 17, 33])
    func layerNormWithTails(c: Int) {
        let x = randomTensor([3, c], seed: 61, std: 2), w = randomTensor([c], seed: 62), b = randomTensor([c], seed: 63)
        let y = layerNorm(x, weight: w, bias: b).scalars, xv = x.scalars.map(Double.init)
        var worst = 0.0
        for r in 0..<3 {
            let row = xv[(r * c)..<((r + 1) * c)], mean = row.reduce(0, +) / Double(c)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
            for i in 0..<c {
                let z = (xv[r * c + i] - mean) / (variance + 1e-5).squareRoot() * Double(w.scalars[i]) + Double(b.scalars[i])
                worst = max(worst, abs(Double(y[r * c + i]) - z))
            }
        }
        #expect(worst < 1e-5, "\(worst)")
        let check = GradientCheck.run([x, w, b], samples: 60) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}
