import Testing
@testable import Media

@Suite struct DrawingTests {
    let red = PixelColor(220, 0, 0)

    @Test func lineCoversThePixelsItCrosses() throws {
        var image = try ByteImage(width: 12, height: 10, channels: 3, fill: 255)
        image.drawLine(from: (2, 5), to: (8, 5), color: red, thickness: 2)
        // Rows 4 and 5 have centres 0.5 from the line: fully covered; rows 3 and 6 are 1.5 away.
        for x in 3...7 { #expect(image[x, 4, 0] == 220 && image[x, 5, 1] == 0) }
        #expect(image[5, 3, 1] == 255 && image[5, 6, 1] == 255)
        #expect(image[10, 5, 1] == 255)
        // Round caps: pixel (8, 5) has its centre √0.5 from the end point, so coverage
        // 1 + 0.5 − √0.5 ≈ 0.793 and green 255 · (1 − 0.793) ≈ 53.
        #expect(image[8, 5, 1] == 53)
    }

    @Test func blendMixesAndGreyTakesLuma() throws {
        var image = try ByteImage(width: 1, height: 1, channels: 3, fill: 255)
        image.blend(x: 0, y: 0, color: PixelColor(55, 155, 255), alpha: 0.5)
        #expect(image.pixels == [155, 205, 255])
        var grey = try ByteImage(width: 1, height: 1, channels: 1, fill: 0)
        grey.blend(x: 0, y: 0, color: PixelColor(255, 0, 0))
        #expect(grey.pixels == [76])                // 0.299 · 255 = 76.2
        image.blend(x: 5, y: -1, color: .black)     // outside: ignored
    }

    @Test func fillRectClips() throws {
        var image = try ByteImage(width: 4, height: 3, channels: 4, fill: 0)
        image.fillRect(x: 2, y: -1, width: 10, height: 2, color: .white)
        #expect(image[2, 0, 0] == 255 && image[3, 0, 3] == 255 && image[1, 0, 0] == 0 && image[2, 1, 0] == 0)
    }
}

@Suite struct CanvasTests {
    @Test func canvasIsOneColourRGB() {
        let canvas = ByteImage(width: 3, height: 2, color: PixelColor(1, 2, 3))
        #expect(canvas.channels == 3 && canvas.pixels == [UInt8](repeating: 0, count: 6).indices.flatMap { _ in [UInt8(1), 2, 3] })
    }
}
