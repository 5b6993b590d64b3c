import Media
import Tensors

/// sg2im's resize: the whole image squeezed to `size`×`size` (aspect ratio not kept, nothing
/// cropped), so boxes in image fractions stay as they are. Each output pixel is the area-weighted
/// mean of the source pixels it covers (a box filter: no aliasing when shrinking 640 px to 64);
/// an image already at the size is copied unchanged.
public enum SquareResize {
    /// RGB `size`×`size` bytes of `image` (grey and RGBA are taken as RGB), written to `out`.
    public static func resize(_ image: ByteImage, to size: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        require(out.count >= size * size * 3, "resize output holds \(out.count) bytes, needs \(size * size * 3)")
        let (w, h, c) = (image.width, image.height, image.channels)
        let columns = weights(from: w, to: size), rows = weights(from: h, to: size)
        // Horizontal pass: h rows × size columns × 3, in Float.
        var across = [Float](repeating: 0, count: h * size * 3)
        image.pixels.withUnsafeBufferPointer { src in across.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                let row = y * w * c, outRow = y * size * 3
                for x in 0..<size {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    let (start, ws) = columns[x]
                    for (k, weight) in ws.enumerated() {
                        let p = row + (start + k) * c
                        if c >= 3 { r += weight * Float(src[p]); g += weight * Float(src[p + 1]); b += weight * Float(src[p + 2]) } else {
                            let v = weight * Float(src[p]); r += v; g += v; b += v
                        }
                    }
                    dst[outRow + 3 * x] = r; dst[outRow + 3 * x + 1] = g; dst[outRow + 3 * x + 2] = b
                }
            }
        } }
        across.withUnsafeBufferPointer { src in
            for y in 0..<size {
                let (start, ws) = rows[y]
                for i in 0..<(size * 3) {
                    var v: Float = 0
                    for (k, weight) in ws.enumerated() { v += weight * src[(start + k) * size * 3 + i] }
                    out[y * size * 3 + i] = UInt8(min(max(v.rounded(), 0), 255))
                }
            }
        }
    }

    /// Per output index: the first source index and the weights of the source pixels from there,
    /// each the share of the output pixel's span [i·n/m, (i+1)·n/m) it covers.
    static func weights(from n: Int, to m: Int) -> [(start: Int, weights: [Float])] {
        (0..<m).map { i in
            let lo = Double(i) * Double(n) / Double(m), hi = Double(i + 1) * Double(n) / Double(m)
            let first = Int(lo), last = min(Int(hi.rounded(.up)) - 1, n - 1)
            let span = hi - lo
            let ws = (first...max(first, last)).map { j in Float((min(Double(j + 1), hi) - max(Double(j), lo)) / span) }
            return (first, ws)
        }
    }
}
