// conv2d: x [B, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] → [B, Cout, Ho, Wo].
//
// Per image and block of output rows: columns [K = Cin·kh·kw, rows·Wo] (im2col), then one GEMM
// out_b[:, block] = W · col_block, which lands in NCHW directly (ldc = Ho·Wo). Columns are
// recomputed in the backward pass rather than saved: they are 9× the activation and the UNet has
// dozens of convolutions. One GEMM over several images (N = images·H·W) was measured and is
// slower: 4 images 30%, 32 images 40–100% at the UNet's shapes, as the columns leave the cache.
//   dWᵀ += col_b · g_bᵀ     db = Σ g
//          (the transposed product: [K, Cout] with the column matrix as OpenBLAS's A operand
//          runs 13–25% faster than g_b · col_bᵀ at the UNet's shapes, measured; dW is one
//          transpose of the summed partials at the end)
//   dx_b = conv(g_b, W′) with W′[ci, co, i, j] = W[co, ci, kh−1−i, kw−1−j] and padding k−1−p
//          (stride 1: a forward-shaped GEMM with K = Cout·kh·kw, no col2im scatter)
//   dx_b = col2im(Wᵀ · g_b)   (strided convolutions)
// Stride-1, padding-1 3×3 convolutions with Cin ≥ 8 and at least 128 tiles per batch run as
// Winograd F(2×2, 3×3) instead (WinogradConvolution.swift), the forward and the input gradient
// conv(g, W′) alike; dW and db stay on the im2col path.

/// Geometry of one convolution.
struct ConvGeometry {
    let batch: Int, cin: Int, height: Int, width: Int
    let cout: Int, kh: Int, kw: Int, stride: Int, padding: Int
    /// The column block size that `rowsPerBlock` aims at; tests pass small values to run many
    /// (and uneven) blocks on small images.
    var columnBlockFloats = ConvGeometry.defaultColumnBlockFloats
    var outHeight: Int { (height + 2 * padding - kh) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kw) / stride + 1 }
    var columnRows: Int { cin * kh * kw }
    var outPlane: Int { outHeight * outWidth }
    var inPlane: Int { height * width }
    /// Output columns ox whose input column ox·stride − padding + kj lies inside the image.
    func validColumns(kernelColumn kj: Int) -> (Int, Int) {
        let first = max(0, (padding - kj + stride - 1) / stride)
        let last = width - 1 + padding - kj < 0 ? 0 : min(outWidth, (width - 1 + padding - kj) / stride + 1)
        return (first, last)
    }
    /// A 1×1, stride-1, unpadded convolution is a plain GEMM on the input.
    var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padding == 0 }
    /// Output rows per im2col block. The column matrix is built and multiplied a block of output
    /// rows at a time so that the block, at most `columnBlockFloats`, is still in L2 (2 MB per core
    /// on the Xeon we measure on) when OpenBLAS packs it next to its own panels. Measured per
    /// image at batch 32, one core: whole-image columns of 1.2–3.5 MB (32→32, 64→32, 96→32,
    /// 64→64 at 32×32) ran the forward GEMM 8–24% slower than 0.6–0.9 MB blocks, while splitting
    /// columns that already fit (64→64 at 16×16 and 8×8) made it 7–40% slower: blocks are never
    /// smaller than needed.
    var rowsPerBlock: Int {
        if isPointwise { return outHeight }
        let blockFloats = max(1, columnBlockFloats)
        let blocks = max(1, (columnRows * outPlane + blockFloats - 1) / blockFloats)
        return max(1, (outHeight + blocks - 1) / blocks)
    }
    /// 224K floats (896 KB): 0.6–0.9 MB blocks measured best at the UNet's shapes.
    static let defaultColumnBlockFloats = 224 * 1024
    /// Floats of one column block (the scratch each worker needs).
    var columnBlockCount: Int { isPointwise ? 0 : columnRows * rowsPerBlock * outWidth }
    /// The convolution whose output is this one's input gradient (g over W′, see the header),
    /// when it exists: stride 1, square kernel, padding < kernel, not pointwise.
    var transposedForInputGradient: ConvGeometry? {
        guard stride == 1, kh == kw, padding <= kh - 1, !isPointwise else { return nil }
        return ConvGeometry(batch: batch, cin: cout, height: outHeight, width: outWidth,
                            cout: cin, kh: kh, kw: kw, stride: 1, padding: kh - 1 - padding,
                            columnBlockFloats: columnBlockFloats)
    }
}

/// W′[ci, co, i, j] = W[co, ci, kh−1−i, kw−1−j] for weight [Cout, Cin, kh, kw].
func flippedTransposedWeight(_ weight: Tensor) -> Tensor {
    let (cout, cin, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    let out = Tensor.uninitialized([cin, cout, kh, kw])
    let src = weight.storage.pointer, dst = out.storage.pointer
    for co in 0..<cout { for ci in 0..<cin { for i in 0..<kh { for j in 0..<kw {
        dst[((ci * cout + co) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] = src[((co * cin + ci) * kh + i) * kw + j]
    } } } }
    return out
}

/// Conv2d with zero padding (PyTorch layouts). With `residual` (the output's shape) the result is
/// residual + conv(x): the GEMMs accumulate (β = 1) onto residual + bias, written in the pass
/// that would otherwise only fill the bias, so a ResBlock's `skip + conv2(…)` needs no add pass.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, residual: Tensor? = nil,
                   algorithm: Conv2dAlgorithm = .automatic) -> Tensor {
    conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, residual: residual,
           columnBlockFloats: ConvGeometry.defaultColumnBlockFloats, algorithm: algorithm)
}

/// How a convolution (and its input gradient) is computed. `.automatic` chooses by shape
/// (`WinogradGeometry.isFaster`); the others exist for benchmarks and tests (`.winograd` where
/// the shape allows it, else im2col).
public enum Conv2dAlgorithm: Sendable {
    case automatic, im2col, winograd

    /// Whether a convolution of this geometry runs as Winograd F(2×2, 3×3).
    func usesWinograd(_ geo: ConvGeometry) -> Bool {
        switch self {
        case .im2col: return false
        case .winograd: return WinogradGeometry.supports(geo)
        case .automatic: return WinogradGeometry.isFaster(geo)
        }
    }
}

/// conv2d with a chosen im2col block size (see `ConvGeometry.rowsPerBlock`), for tests.
func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int, residual: Tensor? = nil,
            columnBlockFloats: Int, algorithm: Conv2dAlgorithm = .automatic,
            winogradTargetTiles: Int = WinogradGeometry.defaultTargetTiles) -> Tensor {
    require(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape), weight \(weight.shape)")
    let geo = ConvGeometry(batch: x.shape[0], cin: x.shape[1], height: x.shape[2], width: x.shape[3],
                           cout: weight.shape[0], kh: weight.shape[2], kw: weight.shape[3], stride: stride, padding: padding,
                           columnBlockFloats: columnBlockFloats)
    require(geo.outHeight > 0 && geo.outWidth > 0, "conv2d: kernel larger than padded input \(x.shape)")
    if let bias { require(bias.shape == [geo.cout], "conv2d: bias \(bias.shape) for \(geo.cout) channels") }
    let out = Tensor.uninitialized([geo.batch, geo.cout, geo.outHeight, geo.outWidth])
    if let residual { require(residual.shape == out.shape, "conv2d: residual \(residual.shape) for output \(out.shape)") }
    let xp = x.storage.pointer, wp = weight.storage.pointer, op = out.storage.pointer
    let bp = bias?.storage.pointer, rp = residual?.storage.pointer
    let accumulate: Float = bp == nil && rp == nil ? 0 : 1
    if algorithm.usesWinograd(geo) {
        let u = Tensor.uninitialized([16 * geo.cin * geo.cout])
        withExtendedLifetime(u) {
            winogradTransformWeight(wp, cout: geo.cout, cin: geo.cin, flipped: false, into: u.storage.pointer)
            winogradConvolution(WinogradGeometry(geo, targetTiles: winogradTargetTiles), input: xp,
                                transformedWeight: u.storage.pointer, bias: bp, residual: rp, output: op)
        }
    } else {
    // Images are independent: each worker takes a run of them with its own column buffer, which
    // holds one block of output rows (see `rowsPerBlock`).
    parallelChunks(geo.batch) { images in
        let columns = geo.isPointwise ? nil : Tensor.uninitialized([geo.columnBlockCount])
        defer { withExtendedLifetime(columns) {} }
        for b in images {
            let o = op + b * geo.cout * geo.outPlane
            let xb = xp + b * geo.cin * geo.inPlane
            if let rp {
                let r = rp + b * geo.cout * geo.outPlane
                if let bp {
                    for c in 0..<geo.cout {
                        let oc = o + c * geo.outPlane, rc = r + c * geo.outPlane, bc = bp[c]
                        for i in 0..<geo.outPlane { oc[i] = rc[i] + bc }
                    }
                } else {
                    o.update(from: r, count: geo.cout * geo.outPlane)
                }
            } else if let bp {
                for c in 0..<geo.cout { (o + c * geo.outPlane).update(repeating: bp[c], count: geo.outPlane) }
            }
            guard let columns else {
                BLAS.gemm(m: geo.cout, n: geo.outPlane, k: geo.columnRows, a: wp, b: xb, beta: accumulate, c: o)
                continue
            }
            let cp = columns.storage.pointer, blockRows = geo.rowsPerBlock
            for y0 in Swift.stride(from: 0, to: geo.outHeight, by: blockRows) {
                let rows = y0..<min(y0 + blockRows, geo.outHeight)
                im2col(geo, xb, cp, rows: rows)
                let n = rows.count * geo.outWidth
                BLAS.gemm(m: geo.cout, n: n, k: geo.columnRows, a: wp, b: cp, beta: accumulate,
                          c: o + rows.lowerBound * geo.outWidth, ldc: geo.outPlane)
            }
        }
    }
    }
    var inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    if let residual { inputs.append(residual) }
    return out.recording(inputs) { g in
        let gp = g.storage.pointer
        let dx = x.requiresGrad ? Tensor.uninitialized(x.shape) : nil
        let wantW = weight.requiresGrad
        let threads = min(ParallelConfig.threadCount, geo.batch)
        // One dWᵀ partial [K, Cout] per worker, added at the end (workers never share an
        // accumulator). Each worker's first image writes its partial with β = 0, so no zero fill.
        let partials = wantW ? (0..<threads).map { _ in Tensor.uninitialized([geo.columnRows, geo.cout]) } : []
        let wantB = bias?.requiresGrad ?? false
        let biasPartials = wantB ? (0..<threads).map { _ in Tensor.zeros([geo.cout]) } : []
        var transposed = dx == nil ? nil : geo.transposedForInputGradient
        // dx = conv(g, W′) by Winograd where that geometry allows it, before the workers (which
        // then only do dW, db and the im2col input gradient).
        if let dx, let t = transposed, algorithm.usesWinograd(t) {
            let u = Tensor.uninitialized([16 * geo.cin * geo.cout])
            withExtendedLifetime(u) {
                winogradTransformWeight(wp, cout: geo.cout, cin: geo.cin, flipped: true, into: u.storage.pointer)
                winogradConvolution(WinogradGeometry(t, targetTiles: winogradTargetTiles), input: gp,
                                    transformedWeight: u.storage.pointer, bias: nil, residual: nil, output: dx.storage.pointer)
            }
            transposed = nil
        }
        let winogradInputGradient = dx != nil && transposed == nil && geo.transposedForInputGradient != nil
        let flipped = transposed.map { _ in flippedTransposedWeight(weight) }
        let scratchCount = max(geo.columnBlockCount, transposed?.columnBlockCount ?? 0)
        parallelChunks(threads) { workers in
            for worker in workers {
                let images = (geo.batch * worker / threads)..<(geo.batch * (worker + 1) / threads)
                let scratch = geo.isPointwise ? nil : Tensor.uninitialized([scratchCount])
                // Raw pointers into scratch outlive its last Swift use: keep it until the images are done.
                defer { withExtendedLifetime(scratch) {} }
                let dwp = wantW ? partials[worker].storage.pointer : nil
                for b in images {
                    let gb = gp + b * geo.cout * geo.outPlane
                    let xb = xp + b * geo.cin * geo.inPlane
                    let dxb = winogradInputGradient ? nil : dx.map { $0.storage.pointer + b * geo.cin * geo.inPlane }
                    let firstImage = b == images.lowerBound
                    if wantB {
                        let db = biasPartials[worker].storage.pointer
                        for c in 0..<geo.cout { db[c] += vectorSum(gb + c * geo.outPlane, geo.outPlane) }
                    }
                    guard let sp = scratch?.storage.pointer else {
                        // Pointwise: the input is the column matrix.
                        if let dwp {
                            BLAS.gemm(transB: true, m: geo.cin, n: geo.cout, k: geo.outPlane, a: xb, b: gb,
                                      beta: firstImage ? 0 : 1, c: dwp)
                        }
                        if let dxb { BLAS.gemm(transA: true, m: geo.cin, n: geo.outPlane, k: geo.cout, a: wp, b: gb, c: dxb) }
                        continue
                    }
                    // Over the forward geometry's row blocks: dWᵀ += col_block · g_blockᵀ, and for
                    // strided convolutions dx += col2im(Wᵀ · g_block).
                    let scatterInto = transposed == nil ? dxb : nil
                    if let scatterInto { scatterInto.update(repeating: 0, count: geo.cin * geo.inPlane) }
                    if dwp != nil || scatterInto != nil {
                        let blockRows = geo.rowsPerBlock
                        for y0 in Swift.stride(from: 0, to: geo.outHeight, by: blockRows) {
                            let rows = y0..<min(y0 + blockRows, geo.outHeight), n = rows.count * geo.outWidth
                            let gBlock = gb + y0 * geo.outWidth
                            if let dwp {
                                im2col(geo, xb, sp, rows: rows)
                                BLAS.gemm(transB: true, m: geo.columnRows, n: geo.cout, k: n, a: sp, b: gBlock, ldb: geo.outPlane,
                                          beta: firstImage && y0 == 0 ? 0 : 1, c: dwp)
                            }
                            if let scatterInto {
                                BLAS.gemm(transA: true, m: geo.columnRows, n: n, k: geo.cout, a: wp, b: gBlock, ldb: geo.outPlane, c: sp)
                                col2im(geo, sp, scatterInto, rows: rows)
                            }
                        }
                    }
                    // Stride 1: dx = conv(g, W′), over the transposed geometry's row blocks.
                    if let dxb, let transposed, let flipped {
                        let blockRows = transposed.rowsPerBlock, fp = flipped.storage.pointer
                        for y0 in Swift.stride(from: 0, to: transposed.outHeight, by: blockRows) {
                            let rows = y0..<min(y0 + blockRows, transposed.outHeight), n = rows.count * transposed.outWidth
                            im2col(transposed, gb, sp, rows: rows)
                            BLAS.gemm(m: geo.cin, n: n, k: transposed.columnRows, a: fp, b: sp,
                                      c: dxb + y0 * transposed.outWidth, ldc: transposed.outPlane)
                        }
                    }
                }
            }
        }
        var dw: Tensor? = nil
        if wantW {
            // The partials must outlive the transpose: released after their last Swift use, the
            // first one's buffer (the same size as dW) would come straight back from the pool as t.
            withExtendedLifetime(partials) {
                let sum = partials[0].storage.pointer
                for p in partials.dropFirst() { let q = p.storage.pointer; for i in 0..<p.count { sum[i] += q[i] } }
                let t = Tensor.uninitialized(weight.shape), tp = t.storage.pointer
                let (k, cout) = (geo.columnRows, geo.cout)
                for r in 0..<k { for c in 0..<cout { tp[c * k + r] = sum[r * cout + c] } }
                dw = t
            }
        }
        var grads: [Tensor?] = [dx, dw]
        if bias != nil {
            let db = biasPartials.first
            if let dp = db?.storage.pointer {
                for p in biasPartials.dropFirst() { let q = p.storage.pointer; for c in 0..<geo.cout { dp[c] += q[c] } }
            }
            grads.append(db)
        }
        if residual != nil { grads.append(g) }
        return grads
    }
}

/// Unfolds output rows `rows` of one image [Cin, H, W] into columns [Cin·kh·kw, rows·Wo] (zeros
/// where the window hangs over the border). Runs on the calling thread: conv2d already splits
/// the batch across cores.
func im2col(_ geo: ConvGeometry, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, rows: Range<Int>) {
    let (h, w, kh, kw, s, p) = (geo.height, geo.width, geo.kh, geo.kw, geo.stride, geo.padding)
    let (ho, wo) = (geo.outHeight, geo.outWidth)
    require(rows.lowerBound >= 0 && rows.upperBound <= ho, "im2col: rows \(rows) of \(ho)")
    if s == 1 && ho == h && wo == w && p < w { im2colSame(geo, x, col, rows: rows); return }
    let ld = rows.count * wo
    for c in 0..<geo.cin {
        let plane = x + c * h * w
        for ki in 0..<kh { for kj in 0..<kw {
            let row = col + ((c * kh + ki) * kw + kj) * ld
            // Output columns whose input column ix = ox·s − p + kj lies inside [0, w).
            let (first, last) = geo.validColumns(kernelColumn: kj)
            for oy in rows {
                let dst = row + (oy - rows.lowerBound) * wo
                let iy = oy * s - p + ki
                if iy < 0 || iy >= h || first >= last { dst.update(repeating: 0, count: wo); continue }
                let src = plane + iy * w
                if first > 0 { dst.update(repeating: 0, count: first) }
                if s == 1 {
                    (dst + first).update(from: src + (first - p + kj), count: last - first)
                } else {
                    for ox in first..<last { dst[ox] = src[ox * s - p + kj] }
                }
                if last < wo { (dst + last).update(repeating: 0, count: wo - last) }
            }
        } }
    }
}

/// im2col for a stride-1 "same" convolution (output size = input size): each column row is the
/// plane shifted by (ki − p, kj − p), so the valid rows are one contiguous copy (instead of one
/// short copy per output row: 8–32 floats, where the call cost as much as the copy), after which
/// the |kj − p| border columns per row that picked up the neighbouring row's pixels are zeroed.
func im2colSame(_ geo: ConvGeometry, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, rows: Range<Int>) {
    let (h, w, kh, kw, p) = (geo.height, geo.width, geo.kh, geo.kw, geo.padding)
    let plane = h * w, ld = rows.count * w
    // Output position y·w + x of this block lands at (y − first row)·w + x of its column row.
    let origin = rows.lowerBound * w
    for c in 0..<geo.cin {
        let src = x + c * plane
        for ki in 0..<kh { for kj in 0..<kw {
            let row = col + ((c * kh + ki) * kw + kj) * ld
            let dy = ki - p, dx = kj - p
            let y0 = max(rows.lowerBound, -dy), y1 = min(rows.upperBound, h - dy)
            if y1 <= y0 { row.update(repeating: 0, count: ld); continue }
            if y0 > rows.lowerBound { row.update(repeating: 0, count: (y0 - rows.lowerBound) * w) }
            if y1 < rows.upperBound { (row + (y1 * w - origin)).update(repeating: 0, count: (rows.upperBound - y1) * w) }
            // Output positions [start, end) read input (y + dy)·w + x + dx, all inside the plane.
            let start = y0 * w + max(0, -dx), end = y1 * w - max(0, dx)
            if end > start { (row + (start - origin)).update(from: src + start + dy * w + dx, count: end - start) }
            if dx < 0 {
                for y in y0..<y1 { for j in 0..<min(-dx, w) { row[y * w - origin + j] = 0 } }
            } else if dx > 0 {
                for y in y0..<y1 { for j in max(0, w - dx)..<w { row[y * w - origin + j] = 0 } }
            }
        } }
    }
}

/// Adds columns [Cin·kh·kw, rows·Wo] of output rows `rows` back onto one image, overlapping
/// windows summed (the adjoint of im2col).
func col2im(_ geo: ConvGeometry, _ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, rows: Range<Int>) {
    let (h, w, kh, kw, s, p) = (geo.height, geo.width, geo.kh, geo.kw, geo.stride, geo.padding)
    let wo = geo.outWidth, ld = rows.count * wo
    for c in 0..<geo.cin {
        let plane = x + c * h * w
        for ki in 0..<kh { for kj in 0..<kw {
            let row = col + ((c * kh + ki) * kw + kj) * ld
            let (first, last) = geo.validColumns(kernelColumn: kj)
            if first >= last { continue }
            for oy in rows {
                let iy = oy * s - p + ki
                if iy < 0 || iy >= h { continue }
                let src = row + (oy - rows.lowerBound) * wo, dst = plane + iy * w
                for ox in first..<last { dst[ox * s - p + kj] += src[ox] }
            }
        } }
    }
}
