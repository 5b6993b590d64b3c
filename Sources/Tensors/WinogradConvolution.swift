// 3×3, stride-1, padding-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin &
// Gray 2015, arXiv 1509.09308). Each 2×2 block of output pixels ("tile") is
//     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
// with d the 4×4 input patch around it and g the 3×3 kernel, so every (tile, input channel,
// output channel) costs 16 multiplies instead of 36. Summed over input channels, the 16
// element-wise products become 16 matrix products, one per position ξ of the 4×4 transform:
//     M[ξ] (Cout × tiles) = U[ξ]ᵀ (Cout × Cin) · V[ξ] (Cin × tiles).
// Those products are our own kernel (`winogradProduct`), not OpenBLAS: the input transform
// writes V in exactly the layout the kernel streams (tiles contiguous), so there is no im2col
// buffer and no packing — at Cout = 32 OpenBLAS's packing of the column matrix cost as much as
// a third of its multiply.
//
// Work is cut into chunks of whole tile rows (of one or several images) sized so that V and M
// stay in L2; each chunk runs input transform → 16 products → output transform before the next.
//
// The transforms, with the 4×4 patch of tile (ty, tx) starting at input pixel (2ty−1, 2tx−1):
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//   Aᵀ = [1 1 1 0; 0 1 −1 −1]
// They are vectorised over sixteen consecutive tiles. A patch reads pixels at stride 2, so each
// input row is first split into its even and odd pixels ("phases"); a patch entry is then a
// contiguous load from one of four phase planes at a fixed offset, masked at the left and right
// image edges. The output transform writes the four output phases, then interleaves them.

/// Shape of a Winograd convolution and the chunking of its tiles.
struct WinogradGeometry {
    let batch: Int, cin: Int, cout: Int, height: Int, width: Int
    /// Tiles per chunk the chunking aims at (tests pass small values to get many, uneven chunks).
    var targetTiles = WinogradGeometry.defaultTargetTiles
    /// 128 tiles: V and M of 64–512 KB (Cin, Cout 32–128), in L2. Measured at batch 32, one
    /// core: 64, 128 and 256 within noise of each other at 32×32; 128 was best over all shapes.
    static let defaultTargetTiles = 128

    var tileRows: Int { height / 2 }
    var tileColumns: Int { width / 2 }
    /// Global tile rows: image b's tile row ty is b·tileRows + ty.
    var globalTileRows: Int { batch * tileRows }
    /// Tile rows per chunk: about `targetTiles` tiles, but no more than an even share of the
    /// batch's tile rows per core, so that small batches (guided sampling's 2 images) still use
    /// every core. At least one row. The chunking never changes a result: every output is the
    /// same sums in the same order whichever chunk computes it.
    var rowsPerChunk: Int {
        let share = (globalTileRows + ParallelConfig.threadCount - 1) / ParallelConfig.threadCount
        return max(1, min(share, targetTiles / tileColumns))
    }
    /// Floats of one chunk's V and M rows: its tiles rounded up to a whole vector (aligned rows),
    /// plus one vector, because the input transform of a segment of fewer than 16 tiles writes
    /// whole vectors. The later segments overwrite those lanes, but the last segment's would run
    /// into the next row's start, written before (that was a bug at 4×4 images, 2 tiles per row).
    var chunkStride: Int { (rowsPerChunk * tileColumns + 15) / 16 * 16 + 16 }
    /// Tile rows of one image a chunk can hold at once (a segment of one image).
    var segmentRows: Int { min(rowsPerChunk, tileRows) }

    /// Whether a convolution of this shape can run as F(2×2, 3×3): 3×3 kernel, stride 1, padding
    /// 1, even height and width (whole tiles), output channels in blocks of four (the kernel's).
    static func supports(_ geo: ConvGeometry) -> Bool {
        geo.kh == 3 && geo.kw == 3 && geo.stride == 1 && geo.padding == 1
            && geo.height % 2 == 0 && geo.width % 2 == 0 && geo.height > 0 && geo.width > 0
            && geo.cout % 4 == 0 && geo.cin > 0
    }

    /// Whether it is also the faster choice (forward, one core, CPU time): every supported UNet
    /// shape with Cin ≥ 32 ran 0.4–0.8× the im2col time at batch 32, and at batch 2 from 32×32
    /// down to 16×16 (128 tiles: 0.75–0.85×); at 8×8 and batch 2 (32 tiles) it ran 1.0–1.3×, the
    /// weight transform no longer paid for. 3 → 32 (conv_in) ran 1.2–1.8×: with so few input
    /// channels the transforms cost more than the products save.
    static func isFaster(_ geo: ConvGeometry) -> Bool {
        supports(geo) && geo.cin >= 8 && geo.batch * (geo.height / 2) * (geo.width / 2) >= 128
    }

    init(batch: Int, cin: Int, cout: Int, height: Int, width: Int, targetTiles: Int = WinogradGeometry.defaultTargetTiles) {
        self.batch = batch; self.cin = cin; self.cout = cout; self.height = height; self.width = width
        self.targetTiles = targetTiles
    }

    init(_ geo: ConvGeometry, targetTiles: Int = WinogradGeometry.defaultTargetTiles) {
        self.init(batch: geo.batch, cin: geo.cin, cout: geo.cout, height: geo.height, width: geo.width, targetTiles: targetTiles)
    }

    // Per-worker scratch, in floats: V, M, four input phase planes, two edge masks, four output
    // phase planes. Every vector loop may run up to 15 lanes past its end, and the phase planes
    // are read one row (and one pixel) before and after a segment: hence the margins.
    var vCount: Int { 16 * cin * chunkStride }
    var mCount: Int { 16 * cout * chunkStride }
    /// One input phase plane: the segment's rows plus one above and one below, and margins.
    var phaseStride: Int { (segmentRows + 2) * tileColumns + 64 }
    var segmentTiles: Int { segmentRows * tileColumns }
    var maskStride: Int { segmentTiles + 32 }
    var scratchCount: Int { vCount + mCount + 4 * phaseStride + 2 * maskStride + 4 * maskStride }
}

/// U[ξ][i][o] = (G g Gᵀ)[ξ] for the kernel g from input channel i to output channel o. With
/// `flipped`, for the input gradient's convolution conv(g, W′), W′[ci, co] = W[co, ci] rotated
/// by 180°: input channel co, output channel ci. `weight` is [Cout, Cin, 3, 3].
func winogradTransformWeight(_ weight: UnsafePointer<Float>, cout: Int, cin: Int, flipped: Bool,
                             into u: UnsafeMutablePointer<Float>) {
    let plane = cout * cin
    // The destination's fastest index innermost (co for U[ξ][ci][co], ci for the flipped
    // U[ξ][co][ci]): sixteen contiguous store streams. With it outermost, the sixteen stores of
    // a kernel were `plane` floats apart, the same L1 set at Cin·Cout = 4096, and the transform
    // cost as much as a batch-2 convolution.
    let (outer, inner) = flipped ? (cout, cin) : (cin, cout)
    // Sixteen kernels at a time along the destination's inner index (kernel j + 1's taps are
    // `laneStride` floats after kernel j's), the tail one by one.
    let laneStride = flipped ? 9 : cin * 9
    for i in 0..<outer {
        var j = 0
        while j + 16 <= inner {
            let g = weight + (flipped ? (i * cin + j) * 9 : (j * cin + i) * 9)
            winogradTransformSixteenKernels(g, laneStride: laneStride, flipped: flipped, into: u + i * inner + j, plane: plane)
            j += 16
        }
        for j in j..<inner {
            let (co, ci) = flipped ? (i, j) : (j, i)
            let g = weight + (co * cin + ci) * 9
            // The kernel's rows r0…r2 (each three taps), rotated by 180° for W′.
            var k = (g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8])
            if flipped { k = (g[8], g[7], g[6], g[5], g[4], g[3], g[2], g[1], g[0]) }
            // G g: rows 0 and 3 are the kernel's first and last rows, 1 and 2 half-sums.
            let s0 = k.0 + k.6, s1 = k.1 + k.7, s2 = k.2 + k.8
            let base = u + i * inner + j
            winogradStoreTransformedRow(k.0, k.1, k.2, base, plane)
            winogradStoreTransformedRow(0.5 * (s0 + k.3), 0.5 * (s1 + k.4), 0.5 * (s2 + k.5), base + 4 * plane, plane)
            winogradStoreTransformedRow(0.5 * (s0 - k.3), 0.5 * (s1 - k.4), 0.5 * (s2 - k.5), base + 8 * plane, plane)
            winogradStoreTransformedRow(k.6, k.7, k.8, base + 12 * plane, plane)
        }
    }
}

/// G g Gᵀ for sixteen kernels, lane l's kernel at g + l·laneStride; the sixteen results of
/// position ξ go to u[ξ·plane …+16].
@inline(never)
func winogradTransformSixteenKernels(_ g: UnsafePointer<Float>, laneStride: Int, flipped: Bool,
                                     into u: UnsafeMutablePointer<Float>, plane: Int) {
    @inline(__always) func tap(_ k: Int) -> FloatVector {
        let k = flipped ? 8 - k : k
        var v = FloatVector()
        for l in 0..<16 { v[l] = g[l * laneStride + k] }
        return v
    }
    let k0 = tap(0), k1 = tap(1), k2 = tap(2), k3 = tap(3), k4 = tap(4), k5 = tap(5), k6 = tap(6), k7 = tap(7), k8 = tap(8)
    let half = FloatVector(repeating: 0.5)
    let s0 = k0 + k6, s1 = k1 + k7, s2 = k2 + k8
    @inline(__always) func row(_ p0: FloatVector, _ p1: FloatVector, _ p2: FloatVector, _ dst: UnsafeMutablePointer<Float>) {
        let t = p0 + p2
        storeVector(p0, dst, 0)
        storeVector(half * (t + p1), dst, plane)
        storeVector(half * (t - p1), dst, 2 * plane)
        storeVector(p2, dst, 3 * plane)
    }
    row(k0, k1, k2, u)
    row(half * (s0 + k3), half * (s1 + k4), half * (s2 + k5), u + 4 * plane)
    row(half * (s0 - k3), half * (s1 - k4), half * (s2 - k5), u + 8 * plane)
    row(k6, k7, k8, u + 12 * plane)
}

/// One row (p0, p1, p2) of G g times Gᵀ: four entries, `plane` apart.
@inline(__always)
func winogradStoreTransformedRow(_ p0: Float, _ p1: Float, _ p2: Float, _ dst: UnsafeMutablePointer<Float>, _ plane: Int) {
    let t = p0 + p2
    dst[0] = p0
    dst[plane] = 0.5 * (t + p1)
    dst[2 * plane] = 0.5 * (t - p1)
    dst[3 * plane] = p2
}

/// out = [residual +] [bias +] conv3×3(x) for every image, with `u` from `winogradTransformWeight`
/// ([16, Cin, Cout]). Splits the tile rows of the batch over the cores.
func winogradConvolution(_ wg: WinogradGeometry, input x: UnsafePointer<Float>, transformedWeight u: UnsafePointer<Float>,
                         bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    let chunkRows = wg.rowsPerChunk
    let chunks = (wg.globalTileRows + chunkRows - 1) / chunkRows
    parallelChunks(chunks) { range in
        let scratch = Tensor.uninitialized([wg.scratchCount])
        withExtendedLifetime(scratch) {
            let s = scratch.storage.pointer
            let buffers = WinogradScratch(wg, s)
            winogradFillMasks(wg, left: buffers.leftMask, right: buffers.rightMask)
            for chunk in range {
                let g0 = chunk * chunkRows, g1 = min(g0 + chunkRows, wg.globalTileRows)
                winogradChunk(wg, rows: g0..<g1, x: x, u: u, bias: bias, residual: residual, output: output, buffers)
            }
        }
    }
}

/// Pointers into one worker's scratch.
struct WinogradScratch {
    let v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>
    /// Input phase planes P[a][b][s·TW + tx] = x[2ty + a][2tx + b] with s = ty − (segment start − 1);
    /// each starts 16 floats into its stride so reads one before the first row stay inside.
    let phases: UnsafeMutablePointer<Float>
    let leftMask: UnsafeMutablePointer<Float>, rightMask: UnsafeMutablePointer<Float>
    /// Output phase planes Y[a][b][t] = out[2ty + a][2tx + b].
    let outPhases: UnsafeMutablePointer<Float>

    init(_ wg: WinogradGeometry, _ s: UnsafeMutablePointer<Float>) {
        v = s
        m = v + wg.vCount
        phases = m + wg.mCount
        leftMask = phases + 4 * wg.phaseStride
        rightMask = leftMask + wg.maskStride
        outPhases = rightMask + wg.maskStride
    }
}

/// leftMask[t] = 0 where tile t is first in its row (its patch's left column is padding),
/// rightMask[t] = 0 where it is last; all bits set elsewhere. Bit masks, not 0/1 factors: the
/// masked lanes read the neighbouring row's pixel (or a margin), and 0·∞ would be NaN. A
/// segment always starts at a tile row.
func winogradFillMasks(_ wg: WinogradGeometry, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
    let tw = wg.tileColumns
    for t in 0..<wg.maskStride {
        left[t] = Float(bitPattern: t % tw == 0 ? 0 : ~0)
        right[t] = Float(bitPattern: t % tw == tw - 1 ? 0 : ~0)
    }
}

/// The lanes of x where `mask` (from `winogradFillMasks`) is set, +0 elsewhere.
@inline(__always)
func maskedLanes(_ x: FloatVector, _ mask: FloatVector) -> FloatVector {
    unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & unsafeBitCast(mask, to: SIMD16<UInt32>.self), to: FloatVector.self)
}

/// One chunk: global tile rows `rows`, in segments of one image each.
func winogradChunk(_ wg: WinogradGeometry, rows: Range<Int>, x: UnsafePointer<Float>, u: UnsafePointer<Float>,
                   bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                   _ buffers: WinogradScratch) {
    let (th, tw, ld) = (wg.tileRows, wg.tileColumns, wg.chunkStride)
    let plane = wg.height * wg.width
    // The product runs over 64-tile panels, then 16-tile ones.
    let tiles = rows.count * tw, panels = (tiles + 15) / 16 * 16
    // Input transform, segment by segment, into V[ξ][ci][tile of the chunk]. Lanes past the last
    // tile (up to a multiple of 16) are zeroed so the products read defined values.
    var g = rows.lowerBound
    while g < rows.upperBound {
        let b = g / th, ty0 = g % th, ty1 = min(th, ty0 + rows.upperBound - g)
        let offset = (g - rows.lowerBound) * tw
        for ci in 0..<wg.cin {
            winogradSplitPhases(wg, x + (b * wg.cin + ci) * plane, tileRows: ty0..<ty1, into: buffers.phases)
            winogradInputTransform(wg, phases: buffers.phases, tiles: (ty1 - ty0) * tw, left: buffers.leftMask,
                                   right: buffers.rightMask, into: buffers.v + ci * ld + offset, stride: wg.cin * ld)
        }
        g += ty1 - ty0
    }
    if panels > tiles {
        for r in 0..<(16 * wg.cin) { (buffers.v + r * ld + tiles).update(repeating: 0, count: panels - tiles) }
    }
    for xi in 0..<16 {
        winogradProduct(u: u + xi * wg.cin * wg.cout, v: buffers.v + xi * wg.cin * ld, m: buffers.m + xi * wg.cout * ld,
                        cin: wg.cin, cout: wg.cout, tiles: panels, ld: ld)
    }
    g = rows.lowerBound
    while g < rows.upperBound {
        let b = g / th, ty0 = g % th, ty1 = min(th, ty0 + rows.upperBound - g)
        let offset = (g - rows.lowerBound) * tw, segmentTiles = (ty1 - ty0) * tw
        for co in 0..<wg.cout {
            winogradOutputTransform(wg, m: buffers.m + co * ld + offset, stride: wg.cout * ld, tiles: segmentTiles,
                                    bias: bias?[co] ?? 0, into: buffers.outPhases)
            let pixel = (b * wg.cout + co) * plane + 2 * ty0 * wg.width
            winogradInterleave(wg, phases: buffers.outPhases, tileRows: ty1 - ty0, residual: residual.map { $0 + pixel },
                               into: output + pixel)
        }
        g += ty1 - ty0
    }
}

/// P[a][b] rows s = 0 … n+1 for tile rows ty0−1 … ty1 of one channel plane: even (b = 0) and odd
/// (b = 1) pixels of input row 2ty + a, zeros for rows outside the image.
@inline(never)
func winogradSplitPhases(_ wg: WinogradGeometry, _ x: UnsafePointer<Float>, tileRows: Range<Int>,
                         into phases: UnsafeMutablePointer<Float>) {
    let (w, tw, stride) = (wg.width, wg.tileColumns, wg.phaseStride)
    let n = tileRows.count + 2
    for a in 0..<2 {
        let even = phases + 16 + (2 * a) * stride, odd = even + stride
        for s in 0..<n {
            let y = 2 * (tileRows.lowerBound - 1 + s) + a
            let e = even + s * tw, o = odd + s * tw
            if y < 0 || y >= wg.height {
                e.update(repeating: 0, count: tw); o.update(repeating: 0, count: tw)
                continue
            }
            let src = x + y * w
            var k = 0
            while k + 16 <= tw {
                let (ev, od) = evenAndOddLanes(src + 2 * k)
                storeVector(ev, e, k); storeVector(od, o, k)
                k += 16
            }
            if tw - k == 8 {
                let pairs = UnsafeRawPointer(src + 2 * k).loadUnaligned(as: SIMD8<UInt64>.self)
                UnsafeMutableRawPointer(e + k).storeBytes(of: SIMD8<UInt32>(truncatingIfNeeded: pairs), as: SIMD8<UInt32>.self)
                UnsafeMutableRawPointer(o + k).storeBytes(of: SIMD8<UInt32>(truncatingIfNeeded: pairs &>> 32), as: SIMD8<UInt32>.self)
                k += 8
            }
            while k < tw { e[k] = src[2 * k]; o[k] = src[2 * k + 1]; k += 1 }
        }
    }
}

/// V[ξ = 4i + j][t] = (Bᵀ d B)[i][j] for the segment's tiles t, sixteen at a time; `into` is
/// V[0] at the segment's first tile, `stride` the distance between the V[ξ].
@inline(never)
func winogradInputTransform(_ wg: WinogradGeometry, phases: UnsafeMutablePointer<Float>, tiles: Int,
                            left: UnsafePointer<Float>, right: UnsafePointer<Float>,
                            into v: UnsafeMutablePointer<Float>, stride: Int) {
    let (tw, ps) = (wg.tileColumns, wg.phaseStride)
    // Phase plane P[a][b] with row s = 1 at the segment's first tile row.
    let p00 = UnsafePointer(phases + 16 + tw), p01 = p00 + ps, p10 = p00 + 2 * ps, p11 = p00 + 3 * ps
    var t = 0
    while t < tiles {
        // Patch row r of tile (ty, tx) is input row 2ty − 1 + r: P[1][·] one row up, P[0][·],
        // P[1][·], P[0][·] one row down; column c likewise: P[·][1] one left, P[·][0], P[·][1],
        // P[·][0] one right.
        let up = t - tw, down = t + tw
        let d00 = loadVector(p11, up - 1), d01 = loadVector(p10, up), d02 = loadVector(p11, up), d03 = loadVector(p10, up + 1)
        let d10 = loadVector(p01, t - 1), d11 = loadVector(p00, t), d12 = loadVector(p01, t), d13 = loadVector(p00, t + 1)
        let d20 = loadVector(p11, t - 1), d21 = loadVector(p10, t), d22 = loadVector(p11, t), d23 = loadVector(p10, t + 1)
        let d30 = loadVector(p01, down - 1), d31 = loadVector(p00, down), d32 = loadVector(p01, down), d33 = loadVector(p00, down + 1)
        // Bᵀ d: along the patch's columns.
        let e00 = d00 - d20, e01 = d01 - d21, e02 = d02 - d22, e03 = d03 - d23
        let e10 = d10 + d20, e11 = d11 + d21, e12 = d12 + d22, e13 = d13 + d23
        let e20 = d20 - d10, e21 = d21 - d11, e22 = d22 - d12, e23 = d23 - d13
        let e30 = d10 - d30, e31 = d11 - d31, e32 = d12 - d32, e33 = d13 - d33
        // (Bᵀ d) B: along its rows; the masks zero column 0 at the left edge, column 3 at the right.
        let l = loadVector(left, t), r = loadVector(right, t)
        let o = v + t
        storeVector(maskedLanes(e00, l) - e02, o, 0); storeVector(e01 + e02, o, stride)
        storeVector(e02 - e01, o, 2 * stride); storeVector(e01 - maskedLanes(e03, r), o, 3 * stride)
        storeVector(maskedLanes(e10, l) - e12, o, 4 * stride); storeVector(e11 + e12, o, 5 * stride)
        storeVector(e12 - e11, o, 6 * stride); storeVector(e11 - maskedLanes(e13, r), o, 7 * stride)
        storeVector(maskedLanes(e20, l) - e22, o, 8 * stride); storeVector(e21 + e22, o, 9 * stride)
        storeVector(e22 - e21, o, 10 * stride); storeVector(e21 - maskedLanes(e23, r), o, 11 * stride)
        storeVector(maskedLanes(e30, l) - e32, o, 12 * stride); storeVector(e31 + e32, o, 13 * stride)
        storeVector(e32 - e31, o, 14 * stride); storeVector(e31 - maskedLanes(e33, r), o, 15 * stride)
        t += 16
    }
}

/// m[o][t] = Σ_i u[i][o] · v[i][t] for `tiles` (a multiple of 16) tiles: a 4-channel × 64-tile
/// block of sixteen accumulators per pass over the input channels, each step four vector loads
/// of V, four broadcasts of U and sixteen FMAs. The V panel (Cin × 64) stays in L1 across the
/// output-channel blocks.
@inline(never)
func winogradProduct(u: UnsafePointer<Float>, v: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                     cin: Int, cout: Int, tiles: Int, ld: Int) {
    var t = 0
    while t + 64 <= tiles {
        var o = 0
        while o < cout {
            var c00 = FloatVector(), c01 = FloatVector(), c02 = FloatVector(), c03 = FloatVector()
            var c10 = FloatVector(), c11 = FloatVector(), c12 = FloatVector(), c13 = FloatVector()
            var c20 = FloatVector(), c21 = FloatVector(), c22 = FloatVector(), c23 = FloatVector()
            var c30 = FloatVector(), c31 = FloatVector(), c32 = FloatVector(), c33 = FloatVector()
            var up = u + o, vp = v + t
            for _ in 0..<cin {
                let v0 = loadVector(vp, 0), v1 = loadVector(vp, 16), v2 = loadVector(vp, 32), v3 = loadVector(vp, 48)
                let u0 = FloatVector(repeating: up[0]), u1 = FloatVector(repeating: up[1])
                let u2 = FloatVector(repeating: up[2]), u3 = FloatVector(repeating: up[3])
                c00 = multiplyAdd(u0, v0, c00); c01 = multiplyAdd(u0, v1, c01); c02 = multiplyAdd(u0, v2, c02); c03 = multiplyAdd(u0, v3, c03)
                c10 = multiplyAdd(u1, v0, c10); c11 = multiplyAdd(u1, v1, c11); c12 = multiplyAdd(u1, v2, c12); c13 = multiplyAdd(u1, v3, c13)
                c20 = multiplyAdd(u2, v0, c20); c21 = multiplyAdd(u2, v1, c21); c22 = multiplyAdd(u2, v2, c22); c23 = multiplyAdd(u2, v3, c23)
                c30 = multiplyAdd(u3, v0, c30); c31 = multiplyAdd(u3, v1, c31); c32 = multiplyAdd(u3, v2, c32); c33 = multiplyAdd(u3, v3, c33)
                up += cout; vp += ld
            }
            let r0 = m + o * ld + t, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld
            storeVector(c00, r0, 0); storeVector(c01, r0, 16); storeVector(c02, r0, 32); storeVector(c03, r0, 48)
            storeVector(c10, r1, 0); storeVector(c11, r1, 16); storeVector(c12, r1, 32); storeVector(c13, r1, 48)
            storeVector(c20, r2, 0); storeVector(c21, r2, 16); storeVector(c22, r2, 32); storeVector(c23, r2, 48)
            storeVector(c30, r3, 0); storeVector(c31, r3, 16); storeVector(c32, r3, 32); storeVector(c33, r3, 48)
            o += 4
        }
        t += 64
    }
    // The last 16–48 tiles (small batches of small images): sixteen at a time.
    while t < tiles {
        var o = 0
        while o < cout {
            var c0 = FloatVector(), c1 = FloatVector(), c2 = FloatVector(), c3 = FloatVector()
            var up = u + o, vp = v + t
            for _ in 0..<cin {
                let v0 = loadVector(vp, 0)
                c0 = multiplyAdd(FloatVector(repeating: up[0]), v0, c0); c1 = multiplyAdd(FloatVector(repeating: up[1]), v0, c1)
                c2 = multiplyAdd(FloatVector(repeating: up[2]), v0, c2); c3 = multiplyAdd(FloatVector(repeating: up[3]), v0, c3)
                up += cout; vp += ld
            }
            let r0 = m + o * ld + t
            storeVector(c0, r0, 0); storeVector(c1, r0, ld); storeVector(c2, r0, 2 * ld); storeVector(c3, r0, 3 * ld)
            o += 4
        }
        t += 16
    }
}

/// Y[a][b][t] = (Aᵀ m A)[a][b] + bias for one output channel's tiles; `m` is M[0] at the
/// segment's first tile, `stride` the distance between the M[ξ].
@inline(never)
func winogradOutputTransform(_ wg: WinogradGeometry, m: UnsafePointer<Float>, stride: Int, tiles: Int, bias: Float,
                             into y: UnsafeMutablePointer<Float>) {
    let ms = wg.maskStride
    let b = FloatVector(repeating: bias)
    var t = 0
    while t < tiles {
        let p = m + t
        // Aᵀ m: rows 0–2 summed, rows 1 − 2 − 3.
        let m00 = loadVector(p, 0), m01 = loadVector(p, stride), m02 = loadVector(p, 2 * stride), m03 = loadVector(p, 3 * stride)
        let m10 = loadVector(p, 4 * stride), m11 = loadVector(p, 5 * stride), m12 = loadVector(p, 6 * stride), m13 = loadVector(p, 7 * stride)
        let m20 = loadVector(p, 8 * stride), m21 = loadVector(p, 9 * stride), m22 = loadVector(p, 10 * stride), m23 = loadVector(p, 11 * stride)
        let m30 = loadVector(p, 12 * stride), m31 = loadVector(p, 13 * stride), m32 = loadVector(p, 14 * stride), m33 = loadVector(p, 15 * stride)
        let a00 = m00 + m10 + m20, a01 = m01 + m11 + m21, a02 = m02 + m12 + m22, a03 = m03 + m13 + m23
        let a10 = m10 - m20 - m30, a11 = m11 - m21 - m31, a12 = m12 - m22 - m32, a13 = m13 - m23 - m33
        // (Aᵀ m) A: columns likewise.
        storeVector(a00 + a01 + a02 + b, y, t)
        storeVector(a01 - a02 - a03 + b, y, ms + t)
        storeVector(a10 + a11 + a12 + b, y, 2 * ms + t)
        storeVector(a11 - a12 - a13 + b, y, 3 * ms + t)
        t += 16
    }
}

/// Writes `tileRows` tile rows of output phases into the output plane (rows 2ty, 2ty + 1),
/// adding the residual's pixels when given.
@inline(never)
func winogradInterleave(_ wg: WinogradGeometry, phases y: UnsafePointer<Float>, tileRows: Int,
                        residual: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
    let (w, tw, ms) = (wg.width, wg.tileColumns, wg.maskStride)
    for ty in 0..<tileRows {
        for a in 0..<2 {
            let even = y + 2 * a * ms + ty * tw, odd = even + ms
            let dst = out + (2 * ty + a) * w
            let r = residual.map { $0 + (2 * ty + a) * w }
            var k = 0
            while k + 16 <= tw {
                var pixels = unsafeBitCast(interleavedLanes(loadVector(even, k), loadVector(odd, k)), to: SIMD32<Float>.self)
                if let r { pixels += UnsafeRawPointer(r + 2 * k).loadUnaligned(as: SIMD32<Float>.self) }
                UnsafeMutableRawPointer(dst + 2 * k).storeBytes(of: pixels, as: SIMD32<Float>.self)
                k += 16
            }
            while k < tw {
                dst[2 * k] = even[k] + (r?[2 * k] ?? 0); dst[2 * k + 1] = odd[k] + (r?[2 * k + 1] ?? 0)
                k += 1
            }
        }
    }
}

/// Even (first) and odd lanes of 32 consecutive floats: as 64-bit lanes (little-endian) a
/// truncation keeps the even float and a shift the odd one — vpmovqd and vpsrlq, where the
/// element-wise loop became scalar moves and `evenHalf`/`oddHalf` broadcasts.
@inline(__always)
func evenAndOddLanes(_ p: UnsafePointer<Float>) -> (FloatVector, FloatVector) {
    let pairs = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt64>.self)
    return (unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: pairs), to: FloatVector.self),
            unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: pairs &>> 32), to: FloatVector.self))
}

/// The inverse: [a0, b0, a1, b1, …] as sixteen 64-bit lanes.
@inline(__always)
func interleavedLanes(_ a: FloatVector, _ b: FloatVector) -> SIMD16<UInt64> {
    SIMD16<UInt64>(truncatingIfNeeded: unsafeBitCast(a, to: SIMD16<UInt32>.self))
        | SIMD16<UInt64>(truncatingIfNeeded: unsafeBitCast(b, to: SIMD16<UInt32>.self)) &<< 32
}
