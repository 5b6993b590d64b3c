import Tensors
/// An 8-bit image: `channels` interleaved values per pixel (1 grey, 3 RGB, 4 RGBA), rows top to
/// bottom, no padding between rows.
public struct ByteImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    /// An image over `pixels`; sizes are checked.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0 else { throw MediaError.invalidImage("size \(width)×\(height) must be positive") }
        guard [1, 3, 4].contains(channels) else { throw MediaError.invalidImage("\(channels) channels (1, 3 or 4 supported)") }
        guard pixels.count == width * height * channels else {
            throw MediaError.invalidImage("\(pixels.count) bytes for \(width)×\(height)×\(channels) (needs \(width * height * channels))")
        }
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    /// A blank image filled with one colour (`value` repeated per channel).
    public init(width: Int, height: Int, channels: Int, fill value: UInt8 = 0) throws {
        try self.init(width: width, height: height, channels: channels,
                      pixels: [UInt8](repeating: value, count: max(width, 0) * max(height, 0) * channels))
    }

    /// Value of channel `c` at column `x`, row `y`.
    public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }

    /// Every pixel repeated `factor`×`factor` times (nearest neighbour): 32×32 samples are tiny on a screen.
    public func upscaled(by factor: Int) -> ByteImage {
        require(factor >= 1, "upscale factor must be at least 1")
        if factor == 1 { return self }
        let w = width * factor, c = channels
        var out = [UInt8](repeating: 0, count: w * height * factor * c)
        pixels.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height {
                let row = (y * factor) * w * c
                for x in 0..<width { for r in 0..<factor { for ch in 0..<c {
                    dst[row + (x * factor + r) * c + ch] = src[(y * width + x) * c + ch]
                } } }
                for r in 1..<factor { for i in 0..<(w * c) { dst[row + r * w * c + i] = dst[row + i] } }
            }
        } }
        return ByteImage(unchecked: w, height * factor, c, out)
    }

    /// Images laid out left to right, top to bottom in `columns` columns, `gap` pixels apart on a
    /// `background` colour (white by default, so dark ShapeWorld frames stand apart). All images
    /// must have the same size and channel count.
    public static func grid(_ images: [ByteImage], columns: Int, gap: Int = 2, background: UInt8 = 255) throws -> ByteImage {
        guard let first = images.first else { throw MediaError.invalidImage("a grid needs at least one image") }
        guard columns > 0, gap >= 0 else { throw MediaError.invalidImage("grid needs columns > 0 and gap ≥ 0") }
        for (i, image) in images.enumerated() where image.width != first.width || image.height != first.height || image.channels != first.channels {
            throw MediaError.mismatchedFrames("image \(i) is \(image.width)×\(image.height)×\(image.channels), image 0 is \(first.width)×\(first.height)×\(first.channels)")
        }
        let cols = min(columns, images.count), rows = (images.count + cols - 1) / cols
        let w = cols * first.width + (cols - 1) * gap, h = rows * first.height + (rows - 1) * gap, c = first.channels
        var sheet = try ByteImage(width: w, height: h, channels: c, fill: background)
        for (i, image) in images.enumerated() {
            let x0 = (i % cols) * (first.width + gap), y0 = (i / cols) * (first.height + gap)
            for y in 0..<image.height {
                let dst = ((y0 + y) * w + x0) * c, src = y * image.width * c
                sheet.pixels.replaceSubrange(dst..<(dst + image.width * c), with: image.pixels[src..<(src + image.width * c)])
            }
        }
        return sheet
    }

    init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: [UInt8]) {
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }
}
