import Testing
@testable import Media

@Suite struct BitmapFontTests {
    let ink = PixelColor(200, 10, 20)

    func inked(_ image: ByteImage, _ x: Int, _ y: Int) -> Bool { image[x, y, 0] == 200 && image[x, y, 1] == 10 && image[x, y, 2] == 20 }

    @Test func glyphPixelsLandWhereTheTableSays() throws {
        var image = try ByteImage(width: 40, height: 40, channels: 3, fill: 255)
        image.drawText("I", x: 10, y: 20, color: ink)
        // "I": top row .###., then ..#.. down to the bottom row .###.
        #expect((11...13).allSatisfy { inked(image, $0, 20) })
        #expect(!inked(image, 10, 20) && !inked(image, 14, 20))
        #expect(inked(image, 12, 21) && !inked(image, 11, 21))
        #expect((11...13).allSatisfy { inked(image, $0, 26) })
        #expect(image.pixels.indices.filter { $0 % 3 == 0 && image.pixels[$0] == 200 }.count == 3 + 5 + 3)
    }

    @Test func scaleAdvanceAndNewline() throws {
        var image = try ByteImage(width: 40, height: 40, channels: 3, fill: 255)
        image.drawText("II\nI", x: 0, y: 0, color: ink, scale: 2)
        // Column 1 of the glyph becomes x 2…3 at scale 2; the second glyph starts 12 pixels on.
        #expect(inked(image, 2, 0) && inked(image, 3, 1) && !inked(image, 1, 0))
        #expect(inked(image, 14, 0) && !inked(image, 13, 0))
        // The next line starts 22 pixels down (line height 11 at scale 2).
        #expect(inked(image, 2, 22) && !inked(image, 2, 21))
    }

    @Test func clipsAtTheEdges() throws {
        var image = try ByteImage(width: 4, height: 4, channels: 1, fill: 0)
        image.drawText("W", x: -2, y: -3, color: .white, scale: 1)
        image.drawText("long text far out", x: 100, y: 100, color: .white)
        // W row 3 is #.#.# → at x -2…2 only columns 2 and 4 land inside (x 0 and 2).
        #expect(image[0, 0, 0] == 255 && image[1, 0, 0] == 0 && image[2, 0, 0] == 255)
    }

    @Test func everyPrintableASCIICharacterHasItsOwnGlyph() {
        let printable = (33...126).map { Character(UnicodeScalar(UInt8($0))) }
        let rows = printable.map { BitmapFont.rows($0) }
        #expect(rows.allSatisfy { $0.count == BitmapFont.glyphHeight && $0.contains { $0 != 0 } })
        #expect(Set(rows).count == printable.count)
        #expect(BitmapFont.rows(" ").allSatisfy { $0 == 0 })
        #expect(BitmapFont.rows("¿") == BitmapFont.rows("?"))
        #expect(BitmapFont.rows("A") == [0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001, 0, 0])
    }

    @Test func widthAndWrap() {
        #expect(BitmapFont.width(of: "abc") == 17)
        #expect(BitmapFont.width(of: "abc", scale: 2) == 34)
        #expect(BitmapFont.width(of: "") == 0)
        #expect(BitmapFont.wrap("red circle left of blue square", columns: 12) == ["red circle", "  left of", "  blue", "  square"])
        #expect(BitmapFont.wrap("abcdefghijkl", columns: 5) == ["abcde", "  fgh", "  ijk", "  l"])
        #expect(BitmapFont.wrap("short", columns: 30) == ["short"])
        #expect(BitmapFont.wrap("", columns: 30) == [""])
    }
}
