import Foundation
import Testing
@testable import Tensors

@Suite struct ActivationTests {
    /// Values kept away from 0 so ReLU's kink is never straddled by ±ε.
    func awayFromZero(_ t: Tensor) -> Tensor {
        Tensor(shape: t.shape, scalars: t.scalars.map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 })
    }

    @Test func valuesMatchFormulas() {
        let x = randomTensor([50], seed: 1, std: 2), xv = x.scalars.map(Double.init)
        #expect(maxAbsDifference(relu(x).scalars, xv.map { Float(max($0, 0)) }) == 0)
        #expect(maxAbsDifference(silu(x).scalars, xv.map { Float($0 / (1 + exp(-$0))) }) < 1e-6)
        #expect(maxAbsDifference(gelu(x).scalars, xv.map { Float(0.5 * $0 * (1 + erf($0 / 2.0.squareRoot()))) }) < 1e-6)
    }

    @Test func gegluIsFirstHalfTimesGeluOfSecondHalf() {
        let x = randomTensor([3, 8], seed: 2)
        let y = geglu(x), xv = x.scalars
        #expect(y.shape == [3, 4])
        for r in 0..<3 { for i in 0..<4 {
            let a = Double(xv[r * 8 + i]), gate = Double(xv[r * 8 + 4 + i])
            #expect(abs(Double(y.scalars[r * 4 + i]) - a * 0.5 * gate * (1 + erf(gate / 2.0.squareRoot()))) < 1e-6)
        } }
    }

    /// GEGLU's pullback against the formula (the shared-exp GELU pair itself is checked against
    /// Φ and φ in VectorMathTests).
    @Test func gegluPullbackMatchesExactFormulas() {
        let x = randomTensor([3, 8], seed: 4, std: 2)
        let xl = x.copy(); xl.requiresGrad = true
        let g = randomTensor([3, 4], seed: 5)
        geglu(xl).backward(g)
        let xv = x.scalars.map(Double.init), gv = g.scalars.map(Double.init), dx = xl.grad!.scalars
        for r in 0..<3 { for i in 0..<4 {
            let a = xv[r * 8 + i], gate = xv[r * 8 + 4 + i], gr = gv[r * 4 + i]
            let cdf = 0.5 * (1 + erf(gate / 2.0.squareRoot())), pdf = exp(-0.5 * gate * gate) / (2 * Double.pi).squareRoot()
            #expect(abs(Double(dx[r * 8 + i]) - gr * gate * cdf) < 1e-5)
            #expect(abs(Double(dx[r * 8 + 4 + i]) - gr * a * (cdf + gate * pdf)) < 1e-5)
        } }
    }

    @Test func gradients() {
        let x = awayFromZero(randomTensor([4, 6], seed: 3))
        for op in [relu, silu, gelu, geglu] {
            let check = GradientCheck.run([x], epsilon: 1e-2) { op($0[0]) }
            #expect(check.maxError < gradientTolerance, "\(check.worst)")
        }
    }
}

@Suite struct FastMathTests {
    @Test func expIsWithinThreeUlpsOverItsRange() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(fastExp(x)) - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 3.6e-7)   // 3 ulp of Float
        #expect(fastExp(-.infinity) == 0 && fastExp(-100) == 0 && fastExp(0) == 1)
    }

    @Test func erfIsWithinItsBound() {
        var worst: Double = 0
        var x: Float = -6
        while x < 6 { worst = max(worst, abs(Double(fastErf(x)) - Foundation.erf(Double(x)))); x += 0.001 }
        #expect(worst < 5e-7)   // the approximation's 1.5e-7 plus Float rounding
    }
}
