import Testing
@testable import Tensors

/// Winograd F(2×2, 3×3) against the Double direct convolution (`naiveConv2d`) and its adjoint.
/// Values are N(0, 1) and weights N(0, 0.3²), so outputs are O(1–5) and Float32 rounding of the
/// transforms and the Cin·16-term sums stays below 1e-5; a wrong transform entry, mask or tile
/// offset is off by O(0.1–1). Tolerance 1e-4.
@Suite struct WinogradConvolutionTests {
    // (batch, cin, cout, height, width, target tiles per chunk)
    static let cases: [(Int, Int, Int, Int, Int, Int)] = [
        (2, 3, 4, 6, 8, 128),      // whole images per chunk, scalar row tails (4 tiles per row)
        (3, 5, 8, 32, 32, 128),    // 16 tiles per row: the vector phase split and interleave
        (2, 4, 4, 16, 16, 16),     // 8 tiles per row, two tile rows per chunk: images split in chunks
        (3, 6, 12, 8, 8, 48),      // chunks of 12 rows crossing image boundaries (4 rows per image)
        (1, 7, 4, 2, 2, 1),        // one tile per image
        (2, 8, 4, 10, 6, 5),       // 3 tiles per row, uneven chunks, a short last chunk
        (1, 16, 8, 32, 48, 300),   // 24 tiles per row: a vector and a scalar tail of 8
        (32, 8, 8, 4, 4, 128),     // 2 tiles per row, 128 tiles in all (guided sampling of 4×4 maps)
        (32, 16, 16, 8, 8, 128),   // 4 tiles per row, 512 tiles
    ]

    func tensors(_ c: (Int, Int, Int, Int, Int, Int), seed: UInt64) -> (Tensor, Tensor, Tensor) {
        (randomTensor([c.0, c.1, c.3, c.4], seed: seed), randomTensor([c.2, c.1, 3, 3], seed: seed + 1, std: 0.3),
         randomTensor([c.2], seed: seed + 2))
    }

    @Test(arguments: cases)
    func forwardMatchesDirectConvolution(c: (Int, Int, Int, Int, Int, Int)) {
        let (x, w, b) = tensors(c, seed: 30)
        let out = conv2d(x, weight: w, bias: b, stride: 1, padding: 1, columnBlockFloats: ConvGeometry.defaultColumnBlockFloats,
                         algorithm: .winograd, winogradTargetTiles: c.5)
        #expect(maxAbsDifference(out.scalars, naiveConv2d(x, w, b, stride: 1, padding: 1)) < 1e-4)
    }

    /// The residual is added onto bias + convolution in the output pass.
    @Test(arguments: cases)
    func residualIsAdded(c: (Int, Int, Int, Int, Int, Int)) {
        let (x, w, b) = tensors(c, seed: 40)
        let r = randomTensor([c.0, c.2, c.3, c.4], seed: 43)
        let out = conv2d(x, weight: w, bias: b, stride: 1, padding: 1, residual: r,
                         columnBlockFloats: ConvGeometry.defaultColumnBlockFloats, algorithm: .winograd, winogradTargetTiles: c.5)
        let expected = zip(naiveConv2d(x, w, b, stride: 1, padding: 1), r.scalars).map { $0 + $1 }
        #expect(maxAbsDifference(out.scalars, expected) < 1e-4)
    }

    /// The input gradient runs as a Winograd convolution of g with the flipped weight (Cout → Cin
    /// channels, so Cin must be a multiple of 4 here); weight and bias gradients as before.
    @Test(arguments: cases.filter { $0.1 % 4 == 0 } + [(2, 8, 3, 6, 8, 128), (3, 12, 5, 8, 8, 16)])
    func pullbackMatchesLoopAdjoint(c: (Int, Int, Int, Int, Int, Int)) {
        let (x, w, b) = tensors(c, seed: 50)
        x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
        let out = conv2d(x, weight: w, bias: b, stride: 1, padding: 1, columnBlockFloats: ConvGeometry.defaultColumnBlockFloats,
                         algorithm: .winograd, winogradTargetTiles: c.5)
        let g = randomTensor(out.shape, seed: 53)
        out.backward(g)
        let (dx, dw, db) = naiveConv2dBackward(x, w, g, stride: 1, padding: 1)
        #expect(maxAbsDifference(x.grad!.scalars, dx) < 1e-4)
        #expect(maxAbsDifference(w.grad!.scalars, dw) < 1e-4)
        #expect(maxAbsDifference(b.grad!.scalars, db) < 1e-4)
    }

    @Test(arguments: cases.filter { $0.1 % 4 == 0 })
    func gradientsMatchFiniteDifferences(c: (Int, Int, Int, Int, Int, Int)) {
        let (x, w, b) = tensors(c, seed: 60)
        let check = GradientCheck.run([x, w, b], samples: 40) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1, columnBlockFloats: ConvGeometry.defaultColumnBlockFloats,
                   algorithm: .winograd, winogradTargetTiles: c.5)
        }
        #expect(check.maxError < gradientTolerance, "\(check.worst)")
    }

    /// An infinite pixel must not leak into outputs whose window does not cover it: the edge
    /// masks are bit masks, since 0·∞ would be NaN. Pixel (1, 7) is the last of its row; the
    /// next row's first outputs read it as their masked left neighbour.
    @Test func infinityStaysInsideItsWindows() {
        let x = Tensor.zeros([1, 4, 8, 8]), w = randomTensor([4, 4, 3, 3], seed: 70)
        x.storage.pointer[1 * 8 + 7] = .infinity
        let out = conv2d(x, weight: w, bias: nil, stride: 1, padding: 1, columnBlockFloats: ConvGeometry.defaultColumnBlockFloats,
                         algorithm: .winograd)
        let p = out.storage.pointer
        for o in 0..<4 { for y in 0..<8 { for xx in 0..<8 where abs(y - 1) > 1 || xx < 6 {
            #expect(p[(o * 8 + y) * 8 + xx] == 0, "output (\(o), \(y), \(xx))")
        } } }
    }

    /// The automatic choice: Winograd where it is supported, Cin ≥ 8 and the batch has at least
    /// 128 tiles, im2col otherwise.
    @Test func automaticChoiceByShape() {
        func geo(_ cin: Int, _ cout: Int, _ size: Int, stride: Int = 1, kernel: Int = 3, padding: Int = 1, batch: Int = 2) -> ConvGeometry {
            ConvGeometry(batch: batch, cin: cin, height: size, width: size, cout: cout, kh: kernel, kw: kernel, stride: stride, padding: padding)
        }
        #expect(Conv2dAlgorithm.automatic.usesWinograd(geo(32, 32, 32)))
        #expect(Conv2dAlgorithm.automatic.usesWinograd(geo(64, 64, 16)))            // 2 · 64 tiles
        #expect(Conv2dAlgorithm.automatic.usesWinograd(geo(128, 64, 8, batch: 32)))
        #expect(!Conv2dAlgorithm.automatic.usesWinograd(geo(128, 64, 8)))           // 2 · 16 tiles
        #expect(Conv2dAlgorithm.winograd.usesWinograd(geo(128, 64, 8)))
        #expect(!Conv2dAlgorithm.automatic.usesWinograd(geo(3, 32, 32)))        // conv_in: slower
        #expect(!Conv2dAlgorithm.automatic.usesWinograd(geo(32, 3, 32)))        // Cout not a multiple of 4
        #expect(!Conv2dAlgorithm.automatic.usesWinograd(geo(32, 32, 32, stride: 2)))
        #expect(!Conv2dAlgorithm.automatic.usesWinograd(geo(32, 32, 15)))       // odd size
        #expect(!Conv2dAlgorithm.automatic.usesWinograd(geo(32, 32, 16, kernel: 1, padding: 0)))
        #expect(!Conv2dAlgorithm.im2col.usesWinograd(geo(32, 32, 32)))
    }

    /// Accuracy at a UNet shape against the Double reference, next to im2col + OpenBLAS: F(2×2, 3×3)
    /// rounds a few more times per output (the transforms), but stays within 3× im2col's error.
    @Test func accuracyAtUNetShapeAgainstDouble() {
        let x = randomTensor([2, 64, 16, 16], seed: 80), w = randomTensor([64, 64, 3, 3], seed: 81, std: 0.05)
        let b = randomTensor([64], seed: 82)
        let reference = naiveConv2d(x, w, b, stride: 1, padding: 1)
        let scale = reference.map(abs).max() ?? 1
        let winograd = conv2d(x, weight: w, bias: b, padding: 1, algorithm: .winograd)
        let im2col = conv2d(x, weight: w, bias: b, padding: 1, algorithm: .im2col)
        let winogradError = maxAbsDifference(winograd.scalars, reference), im2colError = maxAbsDifference(im2col.scalars, reference)
        print("64→64 @16×16: max |out| \(scale), max error winograd \(winogradError), im2col \(im2colError)")
        #expect(winogradError < 1e-5 * scale * 10)
        #expect(winogradError <= 3 * max(im2colError, 1e-7))
    }
}
