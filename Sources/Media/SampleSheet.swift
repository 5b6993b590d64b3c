import Tensors
/// One picture of samples with what each should show: a title line, then a grid of images
/// (upscaled, nearest neighbour) each with its caption beside it — e.g. a scene graph as short
/// lines. Training writes one every `sample_every` steps; people read it to judge the graphs.
public enum SampleSheet {
    static let margin = 10, gapX = 16, gapY = 12, captionGap = 8
    static let paper = PixelColor.white, ink = PixelColor(30, 30, 30), titleInk = PixelColor(0, 0, 0)
    static let frame = PixelColor(200, 200, 200)

    /// An RGB sheet: `title` on top, then `items` in `columns` columns, each image upscaled by
    /// `scale` with its caption lines to its right, wrapped at `captionColumns` characters and
    /// drawn at `textScale`. Images may differ in size and channel count.
    public static func render(title: String, items: [(image: ByteImage, caption: [String])], columns: Int, scale: Int,
                              captionColumns: Int = 30, textScale: Int = 1) -> ByteImage {
        require(columns >= 1 && scale >= 1 && textScale >= 1, "columns, scale and textScale must be at least 1")
        let images = items.map { rgb($0.image).upscaled(by: scale) }
        let captions = items.map { $0.caption.flatMap { BitmapFont.wrap($0, columns: captionColumns) } }
        let imageWidth = images.map(\.width).max() ?? 0
        let captionWidth = BitmapFont.width(of: String(repeating: "m", count: captionColumns), scale: textScale)
        let cellWidth = imageWidth + captionGap + captionWidth
        let lineHeight = BitmapFont.lineHeight * textScale
        let cols = max(1, min(columns, items.count))
        let rows = (items.count + cols - 1) / cols
        let rowHeights = (0..<rows).map { row in
            (row * cols..<min((row + 1) * cols, items.count)).map { max(images[$0].height, captions[$0].count * lineHeight) }.max() ?? 0
        }
        let titleHeight = BitmapFont.lineHeight * 2
        let gridWidth = cols * cellWidth + (cols - 1) * gapX
        let width = 2 * margin + max(gridWidth, BitmapFont.width(of: title, scale: 2))
        let height = 2 * margin + titleHeight + rowHeights.reduce(0) { $0 + $1 + gapY }
        var sheet = ByteImage(width: width, height: height, color: paper)
        sheet.drawText(title, x: margin, y: margin, color: titleInk, scale: 2)
        sheet.fillRect(x: margin, y: margin + titleHeight - 4, width: width - 2 * margin, height: 1, color: frame)

        var y = margin + titleHeight + gapY / 2
        for row in 0..<rows {
            for col in 0..<cols where row * cols + col < items.count {
                let i = row * cols + col, x = margin + col * (cellWidth + gapX)
                sheet.paste(images[i], x: x, y: y)
                for (l, line) in captions[i].enumerated() {
                    sheet.drawText(line, x: x + imageWidth + captionGap, y: y + l * lineHeight, color: ink, scale: textScale)
                }
            }
            y += rowHeights[row] + gapY
        }
        return sheet
    }

    /// Grey replicated to RGB; RGBA composited over the white paper.
    static func rgb(_ image: ByteImage) -> ByteImage {
        if image.channels == 3 { return image }
        var out = [UInt8](repeating: 0, count: image.width * image.height * 3)
        for p in 0..<(image.width * image.height) {
            for c in 0..<3 {
                if image.channels == 1 {
                    out[p * 3 + c] = image.pixels[p]
                } else {
                    let a = Int(image.pixels[p * 4 + 3]), v = Int(image.pixels[p * 4 + c])
                    out[p * 3 + c] = UInt8((v * a + 255 * (255 - a) + 127) / 255)
                }
            }
        }
        return ByteImage(unchecked: image.width, image.height, 3, out)
    }
}

extension ByteImage {
    /// Copies an image of the same channel count with its top-left at (x, y); must fit.
    mutating func paste(_ image: ByteImage, x: Int, y: Int) {
        require(image.channels == channels && x >= 0 && y >= 0 && x + image.width <= width && y + image.height <= height,
                "paste: a \(image.width)×\(image.height) image at (\(x), \(y)) does not fit \(width)×\(height)")
        let rowBytes = image.width * channels
        for row in 0..<image.height {
            let dst = ((y + row) * width + x) * channels, src = row * rowBytes
            pixels.replaceSubrange(dst..<(dst + rowBytes), with: image.pixels[src..<(src + rowBytes)])
        }
    }
}
