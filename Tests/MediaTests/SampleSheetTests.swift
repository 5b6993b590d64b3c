import Testing
@testable import Media

@Suite struct SampleSheetTests {
    @Test func layoutByHand() throws {
        let a = try ByteImage(width: 2, height: 2, channels: 3, pixels: [10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42])
        let b = try ByteImage(width: 2, height: 2, channels: 1, pixels: [50, 60, 70, 80])
        let sheet = SampleSheet.render(title: "t", items: [(a, ["I"]), (b, ["x"])], columns: 2, scale: 3, captionColumns: 4)
        // Cell: image 6 + gap 8 + caption 4×6−1 = 37 wide; row height max(6, one line of 11).
        // Width 2·10 margins + 2·37 + 16; height 2·10 + title 22 + (11 + 12).
        #expect(sheet.width == 110 && sheet.height == 65 && sheet.channels == 3)
        // Images start below the title at y = 10 + 22 + 6 = 38; the second cell at x = 10 + 37 + 16.
        #expect(sheet[10, 38, 0] == 10 && sheet[12, 40, 2] == 12 && sheet[13, 38, 0] == 20 && sheet[15, 43, 1] == 41)
        #expect(sheet[63, 38, 0] == 50 && sheet[63, 38, 2] == 50 && sheet[68, 43, 1] == 80)
        #expect(sheet[16, 38, 0] == 255)
        // Caption "I" at x = 10 + 6 + 8: its top bar covers x 25…27.
        #expect(sheet[25, 38, 0] < 100 && sheet[27, 38, 0] < 100 && sheet[24, 38, 0] == 255 && sheet[28, 38, 0] == 255)
    }

    @Test func longCaptionsGrowTheRow() throws {
        let image = try ByteImage(width: 2, height: 2, channels: 3, fill: 0)
        let sheet = SampleSheet.render(title: "t", items: [(image, ["one two three four five"])], columns: 3, scale: 1, captionColumns: 9)
        // "one two", "  three", "  four", "  five": four lines of 11 pixels.
        #expect(sheet.height == 2 * 10 + 22 + 4 * 11 + 12)
    }

    @Test func alphaIsCompositedOverWhite() throws {
        let rgba = try ByteImage(width: 1, height: 1, channels: 4, pixels: [0, 0, 0, 51])
        #expect(SampleSheet.rgb(rgba).pixels == [204, 204, 204])
    }
}
