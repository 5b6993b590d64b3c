import Foundation
@testable import Media

/// A fresh empty folder under /tmp, removed by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("media-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// ShapeWorld-like frame t of a clip: dark background, a red square and a blue disc moving in
/// opposite directions, a green static bar.
func syntheticFrame(_ t: Int, size: Int = 32) throws -> ByteImage {
    var image = try ByteImage(width: size, height: size, channels: 3, fill: 32)
    for y in 0..<size { for x in 0..<size {
        var color: (UInt8, UInt8, UInt8)? = nil
        if x >= 2 + t, x < 12 + t, y >= 4, y < 14 { color = (230, 40, 40) }
        let cx = Double(size - 10 - t), cy = 22.0
        if (Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy) * (Double(y) + 0.5 - cy) < 36 { color = (50, 90, 240) }
        if y >= 28, y < 30, x >= 4, x < 28 { color = (40, 200, 60) }
        if let (r, g, b) = color { image[x, y, 0] = r; image[x, y, 1] = g; image[x, y, 2] = b }
    } }
    return image
}

/// Peak signal-to-noise ratio of two equal-size RGB images, in dB.
func psnr(_ a: ByteImage, _ b: ByteImage) -> Double {
    precondition(a.pixels.count == b.pixels.count)
    var mse = 0.0
    for (x, y) in zip(a.pixels, b.pixels) { let d = Double(x) - Double(y); mse += d * d }
    mse /= Double(a.pixels.count)
    return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
}
