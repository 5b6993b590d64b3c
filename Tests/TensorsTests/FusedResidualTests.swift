import Testing
@testable import Tensors

/// The products that add a residual inside their GEMM (linear, conv2d) and the 1×1 convolutions
/// between the image and token layouts, against the unfused ops, plus finite-difference
/// gradients of every input (odd sizes, so no dimension hides a swapped stride).
@Suite struct FusedResidualTests {
    @Test(arguments: [true, false])
    func linearWithResidualIsLinearPlusResidual(withBias: Bool) {
        let x = randomTensor([3, 5, 7], seed: 1), w = randomTensor([6, 7], seed: 2)
        let b = withBias ? randomTensor([6], seed: 3) : nil, r = randomTensor([3, 5, 6], seed: 4)
        let fused = linear(x, weight: w, bias: b, residual: r)
        #expect(maxAbsDifference(fused.scalars, (r + linear(x, weight: w, bias: b)).scalars) < 1e-5)
        let inputs = [x, w, r] + (b.map { [$0] } ?? [])
        let check = GradientCheck.run(inputs, samples: 30) {
            linear($0[0], weight: $0[1], bias: withBias ? $0[3] : nil, residual: $0[2])
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// Shapes large enough to split over the workers: many rows in several output blocks per
    /// worker, and two rows split by output columns; against a plain loop in Double.
    @Test(arguments: [(300, 64, 1000), (2, 700, 900), (1, 1024, 1030)])
    func largeLinearMatchesPlainLoop(shape: (Int, Int, Int)) {
        let (rows, inFeatures, outFeatures) = shape
        let x = randomTensor([rows, inFeatures], seed: 11), w = randomTensor([outFeatures, inFeatures], seed: 12)
        let b = randomTensor([outFeatures], seed: 13), r = randomTensor([rows, outFeatures], seed: 14)
        let product = naiveMatmul(x.scalars, w.scalars, m: rows, n: outFeatures, k: inFeatures, transA: false, transB: true)
        let tolerance = Float(inFeatures).squareRoot() * 1e-5
        for (bias, residual) in [(nil, nil), (b, nil), (nil, r), (b, r)] as [(Tensor?, Tensor?)] {
            let out = linear(x, weight: w, bias: bias, residual: residual)
            let biasValues = bias?.scalars, residualValues = residual?.scalars
            let expected = product.indices.map { i in
                product[i] + (biasValues?[i % outFeatures] ?? 0) + (residualValues?[i] ?? 0)
            }
            #expect(maxAbsDifference(out.scalars, expected) < tolerance, "bias \(bias != nil), residual \(residual != nil)")
        }
    }

    // (batch, cin, cout, h, w, kernel, stride, padding, bias)
    @Test(arguments: [(2, 3, 4, 5, 6, 3, 1, 1, true), (3, 4, 2, 3, 5, 1, 1, 0, true), (1, 2, 3, 7, 6, 3, 2, 1, false)])
    func conv2dWithResidualIsConvPlusResidual(c: (Int, Int, Int, Int, Int, Int, Int, Int, Bool)) {
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 5), w = randomTensor([c.2, c.1, c.5, c.5], seed: 6, std: 0.5)
        let b = c.8 ? randomTensor([c.2], seed: 7) : nil
        let plain = conv2d(x, weight: w, bias: b, stride: c.6, padding: c.7)
        let r = randomTensor(plain.shape, seed: 8)
        let fused = conv2d(x, weight: w, bias: b, stride: c.6, padding: c.7, residual: r)
        #expect(maxAbsDifference(fused.scalars, (r + plain).scalars) < 1e-5)
        // Small column blocks: the residual must survive every row block's accumulation.
        let blocked = conv2d(x, weight: w, bias: b, stride: c.6, padding: c.7, residual: r, columnBlockFloats: 2 * c.1 * c.5 * c.5)
        #expect(maxAbsDifference(blocked.scalars, fused.scalars) < 1e-5)
        let inputs = [x, w, r] + (b.map { [$0] } ?? [])
        let check = GradientCheck.run(inputs, samples: 30) {
            conv2d($0[0], weight: $0[1], bias: c.8 ? $0[3] : nil, stride: c.6, padding: c.7, residual: $0[2])
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// (batch, cin, cout, h, w)
    static let pointwiseCases = [(3, 5, 7, 3, 5), (1, 4, 4, 2, 2), (2, 1, 3, 1, 7)]

    @Test(arguments: pointwiseCases)
    func pointwiseConvToTokensIsConvThenPermute(c: (Int, Int, Int, Int, Int)) {
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 9), w = randomTensor([c.2, c.1, 1, 1], seed: 10)
        let b = randomTensor([c.2], seed: 11)
        let expected = conv2d(x, weight: w, bias: b).reshaped([c.0, c.2, c.3 * c.4]).permuted([0, 2, 1])
        let tokens = pointwiseConvToTokens(x, weight: w, bias: b)
        #expect(tokens.shape == [c.0, c.3 * c.4, c.2])
        #expect(maxAbsDifference(tokens.scalars, expected.scalars) < 1e-5)
        #expect(maxAbsDifference(pointwiseConvToTokens(x, weight: w, bias: nil).scalars,
                                 conv2d(x, weight: w, bias: nil).reshaped([c.0, c.2, c.3 * c.4]).permuted([0, 2, 1]).scalars) < 1e-5)
        let check = GradientCheck.run([x, w, b], samples: 30) { pointwiseConvToTokens($0[0], weight: $0[1], bias: $0[2]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    @Test(arguments: pointwiseCases)
    func pointwiseConvFromTokensIsPermuteThenConvPlusResidual(c: (Int, Int, Int, Int, Int)) {
        let t = randomTensor([c.0, c.3 * c.4, c.1], seed: 12), w = randomTensor([c.2, c.1, 1, 1], seed: 13)
        let b = randomTensor([c.2], seed: 14), r = randomTensor([c.0, c.2, c.3, c.4], seed: 15)
        let image = t.permuted([0, 2, 1]).reshaped([c.0, c.1, c.3, c.4])
        let out = pointwiseConvFromTokens(t, weight: w, bias: b, residual: r, height: c.3, width: c.4)
        #expect(maxAbsDifference(out.scalars, (r + conv2d(image, weight: w, bias: b)).scalars) < 1e-5)
        let plain = pointwiseConvFromTokens(t, weight: w, bias: nil, height: c.3, width: c.4)
        #expect(maxAbsDifference(plain.scalars, conv2d(image, weight: w, bias: nil).scalars) < 1e-5)
        let check = GradientCheck.run([t, w, b, r], samples: 30) {
            pointwiseConvFromTokens($0[0], weight: $0[1], bias: $0[2], residual: $0[3], height: c.3, width: c.4)
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}
