import Foundation
import Testing
@testable import Media

@Suite struct PNGMemoryTests {
    @Test(arguments: [1, 3, 4])
    func encodeDecodeRoundTrip(channels: Int) throws {
        let pixels = (0..<(9 * 4 * channels)).map { UInt8(truncatingIfNeeded: $0 * 53 + 7) }
        let image = try ByteImage(width: 9, height: 4, channels: channels, pixels: pixels)
        let bytes = try PNGCodec.encode(image)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(try PNGCodec.decode(bytes) == image)
    }

    @Test func bytesEqualTheFileWriter() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try syntheticFrame(3)
        let url = folder.appendingPathComponent("f.png")
        try PNGCodec.write(image, to: url)
        #expect(try PNGCodec.encode(image) == Array(try Data(contentsOf: url)))
    }

    @Test func garbageFailsCleanly() {
        #expect(throws: MediaError.self) { try PNGCodec.decode([1, 2, 3, 4]) }
    }
}
