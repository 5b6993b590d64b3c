import Foundation
import Testing
@testable import Media

@Suite struct VideoTests {
    func writeClip(_ settings: VideoSettings, to url: URL, frames: Int = 16, scale: Int = 8) throws -> [ByteImage] {
        let images = try (0..<frames).map { try syntheticFrame($0).upscaled(by: scale) }
        let writer = try VideoWriter(url: url, width: images[0].width, height: images[0].height, settings: settings)
        for image in images { try writer.append(image) }
        try writer.finish()
        return images
    }

    @Test(arguments: [VideoSettings.Codec.h264, .mpeg4])
    func mp4ReadsBackWithHighPSNR(codec: VideoSettings.Codec) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("clip.mp4")
        let input = try writeClip(VideoSettings(codec: codec, framesPerSecond: 12, crf: 18), to: url)
        let video = try VideoReader.decode(url)
        #expect(video.codec == (codec == .h264 ? "h264" : "mpeg4"))
        #expect(video.frames.count == 16)
        #expect(video.width == 256 && video.height == 256)
        #expect(abs(video.framesPerSecond - 12) < 1e-9)
        let mean = zip(input, video.frames).map { psnr($0, $1) }.reduce(0, +) / 16
        print("\(codec) mean PSNR \(mean) dB")
        #expect(mean >= 35)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["clip.mp4"])
    }

    @Test func gifHasEveryFrameAtFullSize() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("clip.gif")
        _ = try writeClip(VideoSettings(codec: .gif, framesPerSecond: 10), to: url, frames: 6, scale: 4)
        let video = try VideoReader.decode(url)
        #expect(video.codec == "gif" && video.frames.count == 6 && video.width == 128 && video.height == 128)
    }

    @Test func oddSizesArePaddedToEven() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("odd.mp4")
        let writer = try VideoWriter(url: url, width: 33, height: 17)
        for _ in 0..<3 { try writer.append(try ByteImage(width: 33, height: 17, channels: 3, fill: 100)) }
        try writer.finish()
        let video = try VideoReader.decode(url)
        #expect(video.width == 34 && video.height == 18 && video.frames.count == 3)
    }

    @Test func failuresLeaveNoFileBehind() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A missing folder.
        #expect(throws: MediaError.folderMissing(path: folder.path + "/missing/a.mp4")) {
            _ = try VideoWriter(url: folder.appendingPathComponent("missing/a.mp4"), width: 8, height: 8)
        }
        // A folder that cannot take files even for root: its "parent" is a regular file.
        let file = folder.appendingPathComponent("plain")
        try Data([1]).write(to: file)
        #expect(throws: MediaError.self) { _ = try VideoWriter(url: file.appendingPathComponent("a.mp4"), width: 8, height: 8) }
        #expect(throws: MediaError.self) { try PNGCodec.write(try ByteImage(width: 2, height: 2, channels: 3), to: file.appendingPathComponent("a.png")) }
        // Mismatched frames: the error names both sizes and the partial file is removed.
        let url = folder.appendingPathComponent("b.mp4")
        let writer = try VideoWriter(url: url, width: 16, height: 16)
        try writer.append(try ByteImage(width: 16, height: 16, channels: 3))
        do {
            try writer.append(try ByteImage(width: 8, height: 16, channels: 3))
            Issue.record("expected an error")
        } catch let error as MediaError {
            #expect(error.description.contains("8×16") && error.description.contains("16×16"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["plain"])
        // A writer dropped without finish() leaves nothing either.
        do {
            let dropped = try VideoWriter(url: folder.appendingPathComponent("c.mp4"), width: 16, height: 16)
            try dropped.append(try ByteImage(width: 16, height: 16, channels: 3))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["plain"])
    }

    @Test func encodersAreReported() {
        let available = availableVideoEncoders()
        #expect(available.contains("mpeg4") && available.contains("gif"))
        #expect(MediaError.codecUnavailable(wanted: "libx264", available: ["mpeg4"]).description.contains("available: mpeg4"))
    }
}
