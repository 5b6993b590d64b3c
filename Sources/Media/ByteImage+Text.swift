import Tensors
/// Text drawn with `BitmapFont`, for labels in pictures made in code.
extension ByteImage {
    /// Draws `text` with the top-left of its first glyph cell at (x, y), each font pixel a
    /// `scale`×`scale` block; "\n" starts a new line. Pixels outside the image are clipped.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: PixelColor, scale: Int = 1) {
        require(scale >= 1, "text scale must be at least 1")
        var penX = x, penY = y
        for character in text {
            if character == "\n" { penX = x; penY += BitmapFont.lineHeight * scale; continue }
            let rows = BitmapFont.rows(character)
            for (r, bits) in rows.enumerated() where bits != 0 {
                for c in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(c)) != 0 {
                    fillRect(x: penX + c * scale, y: penY + r * scale, width: scale, height: scale, color: color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }
}
