// Nearest-neighbour ×2 upsampling: x [B, C, H, W] → [B, C, 2H, 2W] (F.interpolate, mode "nearest").
// The pullback sums each 2×2 block of the gradient.

/// Doubles height and width by repeating every pixel in a 2×2 block.
public func upsampleNearest2x(_ x: Tensor) -> Tensor {
    require(x.rank == 4, "upsampleNearest2x takes [B, C, H, W], got \(x.shape)")
    let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let out = Tensor.uninitialized([x.shape[0], x.shape[1], 2 * h, 2 * w])
    let src = x.storage.pointer, dst = out.storage.pointer
    parallelChunks(planes, minimumPerThread: 16) { range in
        for pl in range {
            let a = src + pl * h * w, o = dst + pl * 4 * h * w
            for y in 0..<h {
                let r0 = o + 2 * y * 2 * w
                for xx in 0..<w { let v = a[y * w + xx]; r0[2 * xx] = v; r0[2 * xx + 1] = v }
                (r0 + 2 * w).update(from: r0, count: 2 * w)
            }
        }
    }
    return out.recording([x]) { g in
        let gx = Tensor.uninitialized(x.shape)
        let gp = g.storage.pointer, dp = gx.storage.pointer
        parallelChunks(planes, minimumPerThread: 16) { range in
            for pl in range {
                let a = gp + pl * 4 * h * w, o = dp + pl * h * w
                for y in 0..<h {
                    let r0 = a + 2 * y * 2 * w, r1 = r0 + 2 * w
                    for xx in 0..<w { o[y * w + xx] = r0[2 * xx] + r0[2 * xx + 1] + r1[2 * xx] + r1[2 * xx + 1] }
                }
            }
        }
        return [gx]
    }
}
