import Testing
@testable import Tensors

/// Direct convolution in Double: out[b][o][y][x] = bias[o] + Σ w[o][c][i][j] · in[b][c][y·s−p+i][x·s−p+j].
func naiveConv2d(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride s: Int, padding p: Int) -> [Float] {
    let (b, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    let ho = (h + 2 * p - kh) / s + 1, wo = (wd + 2 * p - kw) / s + 1
    let xv = x.scalars, wv = w.scalars, bv = bias?.scalars
    var out = [Float](repeating: 0, count: b * cout * ho * wo)
    for n in 0..<b { for o in 0..<cout { for y in 0..<ho { for xx in 0..<wo {
        var acc = Double(bv?[o] ?? 0)
        for c in 0..<cin { for i in 0..<kh { for j in 0..<kw {
            let iy = y * s - p + i, ix = xx * s - p + j
            if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
            acc += Double(wv[((o * cin + c) * kh + i) * kw + j]) * Double(xv[((n * cin + c) * h + iy) * wd + ix])
        } } }
        out[((n * cout + o) * ho + y) * wo + xx] = Float(acc)
    } } } }
    return out
}

/// The adjoint of `naiveConv2d` by scattering each output gradient back along the forward sum,
/// in Double: (dx, dw, db).
func naiveConv2dBackward(_ x: Tensor, _ w: Tensor, _ g: Tensor, stride s: Int, padding p: Int) -> ([Float], [Float], [Float]) {
    let (b, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    let (ho, wo) = (g.shape[2], g.shape[3])
    let xv = x.scalars, wv = w.scalars, gv = g.scalars
    var dx = [Double](repeating: 0, count: xv.count), dw = [Double](repeating: 0, count: wv.count)
    var db = [Double](repeating: 0, count: cout)
    for n in 0..<b { for o in 0..<cout { for y in 0..<ho { for xx in 0..<wo {
        let go = Double(gv[((n * cout + o) * ho + y) * wo + xx])
        db[o] += go
        for c in 0..<cin { for i in 0..<kh { for j in 0..<kw {
            let iy = y * s - p + i, ix = xx * s - p + j
            if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
            let wi = ((o * cin + c) * kh + i) * kw + j, xi = ((n * cin + c) * h + iy) * wd + ix
            dx[xi] += Double(wv[wi]) * go
            dw[wi] += Double(xv[xi]) * go
        } } }
    } } } }
    return (dx.map(Float.init), dw.map(Float.init), db.map(Float.init))
}

@Suite struct Conv2dTests {
    // (batch, cin, cout, h, w, kernel, stride, padding)
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 3, 4, 5, 6, 3, 1, 1),   // 3×3 same padding, non-square, Cin ≠ Cout
        (2, 2, 3, 7, 6, 3, 2, 1),   // stride-2 downsample with odd size
        (3, 4, 2, 4, 4, 1, 1, 0),   // 1×1 pointwise (no im2col)
        (1, 2, 2, 5, 5, 3, 1, 0),   // valid convolution
        (2, 3, 2, 6, 7, 5, 1, 2),   // 5×5 "same": two border columns per side in the contiguous im2col
        (1, 2, 3, 1, 4, 3, 1, 1),   // a one-row image: every kernel row but the middle reads padding
    ]

    @Test(arguments: cases)
    func forwardMatchesDirectConvolution(c: (Int, Int, Int, Int, Int, Int, Int, Int)) {
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 1), w = randomTensor([c.2, c.1, c.5, c.5], seed: 2)
        let b = randomTensor([c.2], seed: 3)
        let out = conv2d(x, weight: w, bias: b, stride: c.6, padding: c.7)
        let expected = naiveConv2d(x, w, b, stride: c.6, padding: c.7)
        #expect(out.count == expected.count)
        #expect(maxAbsDifference(out.scalars, expected) < 1e-4)
    }

    @Test(arguments: cases)
    func gradientsOfInputWeightAndBias(c: (Int, Int, Int, Int, Int, Int, Int, Int)) {
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 4), w = randomTensor([c.2, c.1, c.5, c.5], seed: 5, std: 0.5)
        let b = randomTensor([c.2], seed: 6)
        let check = GradientCheck.run([x, w, b], samples: 40) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.6, padding: c.7) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// Exact pullback values (not only finite differences): a kernel that drops or misplaces one
    /// tap of the flipped-weight input gradient is off by O(1) here.
    @Test(arguments: cases + [(3, 5, 7, 6, 5, 3, 1, 2), (2, 3, 2, 4, 4, 2, 1, 1)])
    func pullbackMatchesLoopAdjoint(c: (Int, Int, Int, Int, Int, Int, Int, Int)) {
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 8), w = randomTensor([c.2, c.1, c.5, c.5], seed: 9)
        let b = randomTensor([c.2], seed: 10)
        x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
        let out = conv2d(x, weight: w, bias: b, stride: c.6, padding: c.7)
        let g = randomTensor(out.shape, seed: 11)
        out.backward(g)
        let (dx, dw, db) = naiveConv2dBackward(x, w, g, stride: c.6, padding: c.7)
        #expect(maxAbsDifference(x.grad!.scalars, dx) < 1e-4)
        #expect(maxAbsDifference(w.grad!.scalars, dw) < 1e-4)
        #expect(maxAbsDifference(b.grad!.scalars, db) < 1e-4)
    }

    // Row-blocked im2col (`ConvGeometry.rowsPerBlock`): (batch, cin, cout, h, w, kernel, stride,
    // padding, column block floats). Small block sizes split tiny images into one-row and uneven
    // blocks; batch 1 and odd batches change each worker's run of images (its first image writes
    // the dWᵀ partial with β = 0).
    static let blockedCases: [(Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (1, 3, 4, 5, 6, 3, 1, 1, 1),     // batch 1, one output row per block
        (3, 3, 4, 7, 6, 3, 1, 1, 60),    // odd batch, blocks of 2 rows + a last row (7 = 2+2+2+1)
        (2, 2, 3, 7, 6, 3, 2, 1, 40),    // stride 2 (col2im input gradient), 4 output rows in blocks of 2
        (3, 2, 3, 7, 7, 3, 2, 0, 1),     // stride 2, padding 0, odd batch, one row per block
        (2, 2, 2, 6, 5, 3, 1, 0, 37),    // valid convolution (generic im2col), uneven blocks
        (3, 4, 2, 4, 4, 1, 1, 0, 1),     // 1×1 pointwise: no columns, blocks do not apply
        (2, 3, 2, 6, 7, 5, 1, 2, 100),   // 5×5 "same": two border columns per side within blocks
        (1, 2, 3, 1, 4, 3, 1, 1, 1),     // a one-row image
        (2, 3, 2, 4, 4, 2, 1, 1, 1),     // even kernel with padding: not the "same" path
    ]

    @Test(arguments: blockedCases)
    func rowBlockedForwardAndPullbackMatchLoops(c: (Int, Int, Int, Int, Int, Int, Int, Int, Int)) {
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 12), w = randomTensor([c.2, c.1, c.5, c.5], seed: 13)
        let b = randomTensor([c.2], seed: 14)
        x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
        let out = conv2d(x, weight: w, bias: b, stride: c.6, padding: c.7, columnBlockFloats: c.8)
        #expect(maxAbsDifference(out.scalars, naiveConv2d(x, w, b, stride: c.6, padding: c.7)) < 1e-4)
        let g = randomTensor(out.shape, seed: 15)
        out.backward(g)
        let (dx, dw, db) = naiveConv2dBackward(x, w, g, stride: c.6, padding: c.7)
        #expect(maxAbsDifference(x.grad!.scalars, dx) < 1e-4)
        #expect(maxAbsDifference(w.grad!.scalars, dw) < 1e-4)
        #expect(maxAbsDifference(b.grad!.scalars, db) < 1e-4)
    }

    @Test(arguments: blockedCases)
    func rowBlockedGradientsMatchFiniteDifferences(c: (Int, Int, Int, Int, Int, Int, Int, Int, Int)) {
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 16), w = randomTensor([c.2, c.1, c.5, c.5], seed: 17, std: 0.5)
        let b = randomTensor([c.2], seed: 18)
        let check = GradientCheck.run([x, w, b], samples: 40) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.6, padding: c.7, columnBlockFloats: c.8)
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// The default block size splits these images (columns of 240K–250K floats, over the 224K
    /// target) into two blocks, the second shorter for 31 rows: the production path, not only the
    /// test-sized blocks above. Stride 1 and 2, batch 1 and 3.
    @Test(arguments: [(1, 26, 2, 32, 32, 1), (3, 26, 3, 31, 33, 1), (1, 26, 2, 64, 64, 2)])
    func defaultBlocksSplitLargeImages(c: (Int, Int, Int, Int, Int, Int)) {
        let geo = ConvGeometry(batch: c.0, cin: c.1, height: c.3, width: c.4, cout: c.2, kh: 3, kw: 3, stride: c.5, padding: 1)
        #expect(geo.rowsPerBlock < geo.outHeight)
        let x = randomTensor([c.0, c.1, c.3, c.4], seed: 19), w = randomTensor([c.2, c.1, 3, 3], seed: 20)
        let b = randomTensor([c.2], seed: 21)
        x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
        let out = conv2d(x, weight: w, bias: b, stride: c.5, padding: 1)
        #expect(maxAbsDifference(out.scalars, naiveConv2d(x, w, b, stride: c.5, padding: 1)) < 1e-3)
        let g = randomTensor(out.shape, seed: 22)
        out.backward(g)
        let (dx, dw, db) = naiveConv2dBackward(x, w, g, stride: c.5, padding: 1)
        #expect(maxAbsDifference(x.grad!.scalars, dx) < 1e-3)
        #expect(maxAbsDifference(w.grad!.scalars, dw) < 1e-3)
        #expect(maxAbsDifference(b.grad!.scalars, db) < 1e-3)
    }

    @Test func upsampleRepeatsPixelsAndSumsGradients() {
        let x = randomTensor([2, 3, 2, 3], seed: 7)
        let y = upsampleNearest2x(x)
        #expect(y.shape == [2, 3, 4, 6])
        let xv = x.scalars, yv = y.scalars
        for p in 0..<6 { for i in 0..<4 { for j in 0..<6 { #expect(yv[p * 24 + i * 6 + j] == xv[p * 6 + (i / 2) * 3 + j / 2]) } } }
        let check = GradientCheck.run([x]) { upsampleNearest2x($0[0]) }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }
}
