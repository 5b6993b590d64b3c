import Foundation
import Testing
import Tensors
@testable import Media

@Suite struct PNGTests {
    @Test(arguments: [1, 3, 4])
    func roundTripIsExact(channels: Int) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pixels = (0..<(7 * 5 * channels)).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
        let image = try ByteImage(width: 7, height: 5, channels: channels, pixels: pixels)
        let url = folder.appendingPathComponent("x.png")
        try PNGCodec.write(image, to: url)
        #expect(try PNGCodec.read(url) == image)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["x.png"])
    }

    @Test func upscaleRepeatsEachPixel() throws {
        let image = try ByteImage(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4])
        let big = image.upscaled(by: 3)
        #expect(big.width == 6 && big.height == 6)
        for y in 0..<6 { for x in 0..<6 { #expect(big[x, y, 0] == image[x / 3, y / 3, 0]) } }
    }

    @Test func gridPlacesImagesByPosition() throws {
        let images = try (0..<5).map { try ByteImage(width: 3, height: 2, channels: 3, fill: UInt8(10 * ($0 + 1))) }
        let sheet = try ByteImage.grid(images, columns: 2, gap: 1, background: 255)
        #expect(sheet.width == 2 * 3 + 1 && sheet.height == 3 * 2 + 2)
        // Image 3 sits in column 1, row 1: x 4..<7, y 3..<5.
        #expect(sheet[4, 3, 0] == 40 && sheet[6, 4, 2] == 40)
        #expect(sheet[3, 0, 0] == 255 && sheet[0, 2, 1] == 255)          // gaps
        #expect(sheet[0, 6, 0] == 50 && sheet[5, 6, 0] == 255)           // image 4, then an empty cell
        #expect(throws: MediaError.self) { try ByteImage.grid([images[0], try ByteImage(width: 2, height: 2, channels: 3)], columns: 2) }
    }

    @Test func tensorBridgeMapsTheModelRange() throws {
        let t = Tensor(shape: [3, 1, 2], scalars: [-1, 1, 0, 2, -3, 0.5])
        let image = try ByteImage(tensor: t)
        #expect(image.pixels == [0, 128, 0, 255, 255, 191])
        let back = image.tensor().scalars
        #expect(abs(back[0] + 1) < 1e-6 && abs(back[1] - 1) < 1e-6)
    }

    @Test func missingFolderAndBadFilesGiveErrors() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try ByteImage(width: 2, height: 2, channels: 3)
        #expect(throws: MediaError.folderMissing(path: folder.path + "/no/x.png")) {
            try PNGCodec.write(image, to: folder.appendingPathComponent("no/x.png"))
        }
        let junk = folder.appendingPathComponent("junk.png")
        try Data("not a png".utf8).write(to: junk)
        #expect(throws: MediaError.self) { try PNGCodec.read(junk) }
    }
}

@Suite struct ImageDecodingTests {
    @Test func jpegDecodesThroughFFmpeg() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/media/red_square.jpg")
        let image = try VideoReader.decodeImage(url)
        #expect(image.width == 16 && image.height == 16 && image.channels == 3)
        // Centre is the red box (230, 40, 40), the corner the dark background (32, 32, 32), up to JPEG error.
        #expect(abs(Int(image[8, 8, 0]) - 230) < 20 && abs(Int(image[8, 8, 1]) - 40) < 20)
        #expect(abs(Int(image[0, 0, 0]) - 32) < 12 && abs(Int(image[0, 0, 2]) - 32) < 12)
    }

    @Test func unreadableImageNamesTheFile() throws {
        #expect(throws: MediaError.self) { try VideoReader.decodeImage(URL(fileURLWithPath: "/no/such/image.jpg")) }
    }
}
