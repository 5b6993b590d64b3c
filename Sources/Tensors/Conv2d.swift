// conv2d: x [B, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] → [B, Cout, Ho, Wo].
//
// Per image: columns [K = Cin·kh·kw, Ho·Wo] (im2col), then one GEMM  out_b = W · col_b, which
// lands in NCHW directly. Columns are recomputed in the backward pass rather than saved: they
// are 9× the activation and the UNet has dozens of convolutions.
//   dW += g_b · col_bᵀ      db = Σ g
//   dx_b = conv(g_b, W′) with W′[ci, co, i, j] = W[co, ci, kh−1−i, kw−1−j] and padding k−1−p
//          (stride 1: a forward-shaped GEMM with K = Cout·kh·kw, no col2im scatter)
//   dx_b = col2im(Wᵀ · g_b)   (strided convolutions)

/// Geometry of one convolution.
struct ConvGeometry {
    let batch: Int, cin: Int, height: Int, width: Int
    let cout: Int, kh: Int, kw: Int, stride: Int, padding: Int
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
    /// The convolution whose output is this one's input gradient (g over W′, see the header),
    /// when it exists: stride 1, square kernel, padding < kernel, not pointwise.
    var transposedForInputGradient: ConvGeometry? {
        guard stride == 1, kh == kw, padding <= kh - 1, !isPointwise else { return nil }
        return ConvGeometry(batch: batch, cin: cout, height: outHeight, width: outWidth,
                            cout: cin, kh: kh, kw: kw, stride: 1, padding: kh - 1 - padding)
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

/// Conv2d with zero padding (PyTorch layouts).
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    require(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape), weight \(weight.shape)")
    let geo = ConvGeometry(batch: x.shape[0], cin: x.shape[1], height: x.shape[2], width: x.shape[3],
                           cout: weight.shape[0], kh: weight.shape[2], kw: weight.shape[3], stride: stride, padding: padding)
    require(geo.outHeight > 0 && geo.outWidth > 0, "conv2d: kernel larger than padded input \(x.shape)")
    if let bias { require(bias.shape == [geo.cout], "conv2d: bias \(bias.shape) for \(geo.cout) channels") }
    let out = Tensor.uninitialized([geo.batch, geo.cout, geo.outHeight, geo.outWidth])
    let xp = x.storage.pointer, wp = weight.storage.pointer, op = out.storage.pointer
    let bp = bias?.storage.pointer
    // Images are independent: each worker takes a run of them with its own column buffer.
    parallelChunks(geo.batch) { images in
        let columns = geo.isPointwise ? nil : Tensor.uninitialized([geo.columnRows, geo.outPlane])
        for b in images {
            let o = op + b * geo.cout * geo.outPlane
            if let bp { for c in 0..<geo.cout { (o + c * geo.outPlane).update(repeating: bp[c], count: geo.outPlane) } }
            let col: UnsafePointer<Float>
            if let columns {
                im2col(geo, xp + b * geo.cin * geo.inPlane, columns.storage.pointer)
                col = UnsafePointer(columns.storage.pointer)
            } else {
                col = UnsafePointer(xp + b * geo.cin * geo.inPlane)
            }
            BLAS.gemm(m: geo.cout, n: geo.outPlane, k: geo.columnRows, a: wp, b: col, beta: bp == nil ? 0 : 1, c: o)
        }
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.recording(inputs) { g in
        let gp = g.storage.pointer
        let dx = x.requiresGrad ? Tensor.uninitialized(x.shape) : nil
        let wantW = weight.requiresGrad
        let threads = min(ParallelConfig.threadCount, geo.batch)
        // One dW partial per worker, added at the end (workers never share an accumulator).
        let partials = wantW ? (0..<threads).map { _ in Tensor.zeros(weight.shape) } : []
        let wantB = bias?.requiresGrad ?? false
        let biasPartials = wantB ? (0..<threads).map { _ in Tensor.zeros([geo.cout]) } : []
        let transposed = dx == nil ? nil : geo.transposedForInputGradient
        let flipped = transposed.map { _ in flippedTransposedWeight(weight) }
        let scratchCount = max(geo.columnRows * geo.outPlane, transposed.map { $0.columnRows * $0.outPlane } ?? 0)
        parallelChunks(threads) { workers in
            for worker in workers {
                let images = (geo.batch * worker / threads)..<(geo.batch * (worker + 1) / threads)
                let scratch = geo.isPointwise ? nil : Tensor.uninitialized([scratchCount])
                for b in images {
                    let gb = gp + b * geo.cout * geo.outPlane
                    let xb = xp + b * geo.cin * geo.inPlane
                    if wantB {
                        let db = biasPartials[worker].storage.pointer
                        for c in 0..<geo.cout { db[c] += vectorSum(gb + c * geo.outPlane, geo.outPlane) }
                    }
                    if wantW {
                        let col: UnsafePointer<Float>
                        if let scratch { im2col(geo, xb, scratch.storage.pointer); col = UnsafePointer(scratch.storage.pointer) } else { col = UnsafePointer(xb) }
                        BLAS.gemm(transB: true, m: geo.cout, n: geo.columnRows, k: geo.outPlane, a: gb, b: col, beta: 1,
                                  c: partials[worker].storage.pointer)
                    }
                    if let dx {
                        let dxb = dx.storage.pointer + b * geo.cin * geo.inPlane
                        if let transposed, let flipped, let scratch {
                            im2col(transposed, gb, scratch.storage.pointer)
                            BLAS.gemm(m: geo.cin, n: geo.inPlane, k: transposed.columnRows, a: flipped.storage.pointer,
                                      b: scratch.storage.pointer, c: dxb)
                        } else if let scratch {
                            BLAS.gemm(transA: true, m: geo.columnRows, n: geo.outPlane, k: geo.cout, a: wp, b: gb, c: scratch.storage.pointer)
                            dxb.update(repeating: 0, count: geo.cin * geo.inPlane)
                            col2im(geo, scratch.storage.pointer, dxb)
                        } else {
                            BLAS.gemm(transA: true, m: geo.cin, n: geo.outPlane, k: geo.cout, a: wp, b: gb, c: dxb)
                        }
                    }
                }
            }
        }
        var dw: Tensor? = nil
        if wantW {
            dw = partials[0]
            let dp = partials[0].storage.pointer
            for p in partials.dropFirst() { let q = p.storage.pointer; for i in 0..<p.count { dp[i] += q[i] } }
        }
        var grads: [Tensor?] = [dx, dw]
        if bias != nil {
            let db = biasPartials.first
            if let dp = db?.storage.pointer {
                for p in biasPartials.dropFirst() { let q = p.storage.pointer; for c in 0..<geo.cout { dp[c] += q[c] } }
            }
            grads.append(db)
        }
        return grads
    }
}

/// Unfolds one image [Cin, H, W] into columns [Cin·kh·kw, Ho·Wo] (zeros where the window hangs
/// over the border). Runs on the calling thread: conv2d already splits the batch across cores.
func im2col(_ geo: ConvGeometry, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
    let (h, w, kh, kw, s, p) = (geo.height, geo.width, geo.kh, geo.kw, geo.stride, geo.padding)
    let (ho, wo) = (geo.outHeight, geo.outWidth)
    if s == 1 && ho == h && wo == w && p < w { im2colSame(geo, x, col); return }
    do {
        for c in 0..<geo.cin {
            let plane = x + c * h * w
            for ki in 0..<kh { for kj in 0..<kw {
                let row = col + ((c * kh + ki) * kw + kj) * ho * wo
                // Output columns whose input column ix = ox·s − p + kj lies inside [0, w).
                let (first, last) = geo.validColumns(kernelColumn: kj)
                for oy in 0..<ho {
                    let dst = row + oy * wo
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
}

/// im2col for a stride-1 "same" convolution (output size = input size): each column row is the
/// plane shifted by (ki − p, kj − p), so the valid rows are one contiguous copy (instead of one
/// short copy per output row: 8–32 floats, where the call cost as much as the copy), after which
/// the |kj − p| border columns per row that picked up the neighbouring row's pixels are zeroed.
func im2colSame(_ geo: ConvGeometry, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
    let (h, w, kh, kw, p) = (geo.height, geo.width, geo.kh, geo.kw, geo.padding)
    let plane = h * w
    for c in 0..<geo.cin {
        let src = x + c * plane
        for ki in 0..<kh { for kj in 0..<kw {
            let row = col + ((c * kh + ki) * kw + kj) * plane
            let dy = ki - p, dx = kj - p
            let y0 = max(0, -dy), y1 = min(h, h - dy)
            if y1 <= y0 { row.update(repeating: 0, count: plane); continue }
            if y0 > 0 { row.update(repeating: 0, count: y0 * w) }
            if y1 < h { (row + y1 * w).update(repeating: 0, count: (h - y1) * w) }
            // Output positions [start, end) read input (y + dy)·w + x + dx, all inside the plane.
            let start = y0 * w + max(0, -dx), end = y1 * w - max(0, dx)
            if end > start { (row + start).update(from: src + start + dy * w + dx, count: end - start) }
            if dx < 0 {
                for y in y0..<y1 { for j in 0..<min(-dx, w) { row[y * w + j] = 0 } }
            } else if dx > 0 {
                for y in y0..<y1 { for j in max(0, w - dx)..<w { row[y * w + j] = 0 } }
            }
        } }
    }
}

/// Folds columns back onto one image, adding overlapping windows (the adjoint of im2col).
func col2im(_ geo: ConvGeometry, _ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
    let (h, w, kh, kw, s, p) = (geo.height, geo.width, geo.kh, geo.kw, geo.stride, geo.padding)
    let (ho, wo) = (geo.outHeight, geo.outWidth)
    do {
        for c in 0..<geo.cin {
            let plane = x + c * h * w
            for ki in 0..<kh { for kj in 0..<kw {
                let row = col + ((c * kh + ki) * kw + kj) * ho * wo
                let (first, last) = geo.validColumns(kernelColumn: kj)
                if first >= last { continue }
                for oy in 0..<ho {
                    let iy = oy * s - p + ki
                    if iy < 0 || iy >= h { continue }
                    let src = row + oy * wo, dst = plane + iy * w
                    for ox in first..<last { dst[ox * s - p + kj] += src[ox] }
                }
            } }
        }
    }
}
