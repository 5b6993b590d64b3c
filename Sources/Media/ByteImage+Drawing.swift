import Tensors
/// An opaque colour for drawing into a `ByteImage` of any channel count.
public struct PixelColor: Sendable, Equatable {
    public var r: UInt8, g: UInt8, b: UInt8
    /// A colour from its red, green and blue values.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    public static let black = PixelColor(0, 0, 0)
    public static let white = PixelColor(255, 255, 255)

    /// This colour moved toward `other` by `t` (0 = self, 1 = other).
    public func mixed(with other: PixelColor, _ t: Double) -> PixelColor {
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return PixelColor(mix(r, other.r), mix(g, other.g), mix(b, other.b))
    }
}

/// Pixel-level drawing for pictures made in code (plots, sheets): everything clips to the image.
extension ByteImage {
    /// An RGB canvas of one colour; the size must be positive.
    public init(width: Int, height: Int, color: PixelColor) {
        require(width > 0 && height > 0, "canvas size \(width)×\(height) must be positive")
        self.init(unchecked: width, height, 3, [UInt8]((0..<(width * height)).lazy.flatMap { _ in [color.r, color.g, color.b] }))
    }

    /// Paints (x, y) with `color` blended over what is there by `alpha` (1 = opaque); grey images
    /// take the colour's luma, RGBA images stay opaque.
    public mutating func blend(x: Int, y: Int, color: PixelColor, alpha: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        let a = min(alpha, 1), i = (y * width + x) * channels
        func over(_ old: UInt8, _ new: UInt8) -> UInt8 {
            a >= 1 ? new : UInt8((Double(old) + (Double(new) - Double(old)) * a).rounded())
        }
        if channels == 1 {
            let weighted: Double = 0.299 * Double(color.r) + 0.587 * Double(color.g) + 0.114 * Double(color.b)
            let luma = UInt8(weighted.rounded())
            pixels[i] = over(pixels[i], luma)
        } else {
            pixels[i] = over(pixels[i], color.r)
            pixels[i + 1] = over(pixels[i + 1], color.g)
            pixels[i + 2] = over(pixels[i + 2], color.b)
            if channels == 4 { pixels[i + 3] = 255 }
        }
    }

    /// Fills the rectangle with top-left (x, y).
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: PixelColor) {
        for yy in max(y, 0)..<max(min(y + h, height), max(y, 0)) {
            for xx in max(x, 0)..<max(min(x + w, width), max(x, 0)) { blend(x: xx, y: yy, color: color) }
        }
    }

    /// An anti-aliased line `thickness` pixels wide between two points in pixel coordinates
    /// (pixel (i, j) covers [i, i+1) × [j, j+1)); coverage falls off over the last half pixel.
    public mutating func drawLine(from p0: (x: Double, y: Double), to p1: (x: Double, y: Double),
                                  color: PixelColor, thickness: Double = 1, alpha: Double = 1) {
        let r = thickness / 2
        let x0 = Int((min(p0.x, p1.x) - r - 1).rounded(.down)), x1 = Int((max(p0.x, p1.x) + r + 1).rounded(.up))
        let y0 = Int((min(p0.y, p1.y) - r - 1).rounded(.down)), y1 = Int((max(p0.y, p1.y) + r + 1).rounded(.up))
        let dx = p1.x - p0.x, dy = p1.y - p0.y, length2 = dx * dx + dy * dy
        for y in max(y0, 0)...max(min(y1, height - 1), 0) {
            for x in max(x0, 0)...max(min(x1, width - 1), 0) {
                let cx = Double(x) + 0.5, cy = Double(y) + 0.5
                let t = length2 > 0 ? max(0, min(1, ((cx - p0.x) * dx + (cy - p0.y) * dy) / length2)) : 0
                let ex = cx - (p0.x + t * dx), ey = cy - (p0.y + t * dy)
                let coverage = min(1, max(0, r + 0.5 - (ex * ex + ey * ey).squareRoot()))
                if coverage > 0 { blend(x: x, y: y, color: color, alpha: coverage * alpha) }
            }
        }
    }
}
