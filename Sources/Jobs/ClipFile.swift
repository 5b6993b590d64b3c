import Pipeline
import Foundation
import Media

/// A clip's frames encoded as one file (H.264 MP4 or animated GIF). `sample --graph … --out clip.mp4`
/// and the video outputs of `sample --jobs` both write through here, so the same frames with the
/// same options make the same bytes whichever command drew them.
enum ClipFile {
    /// Refuses a frame rate or upscale factor out of range before any sampling.
    static func checkOptions(framesPerSecond: Int, upscale: Int) throws {
        guard framesPerSecond >= 1 && framesPerSecond <= 240 else { throw SamplingError("--fps \(framesPerSecond): must lie in 1…240") }
        guard upscale >= 1 && upscale <= 64 else { throw SamplingError("--upscale \(upscale): must lie in 1…64") }
    }

    /// Encodes `images` to `url`; the file appears whole when this returns, or not at all (VideoWriter writes through OutputPath).
    static func write(_ images: [ByteImage], to url: URL, codec: VideoSettings.Codec, framesPerSecond: Int) throws {
        guard let first = images.first else { throw SamplingError("\(url.path): no frames to write") }
        let writer = try VideoWriter(url: url, width: first.width, height: first.height,
                                     settings: VideoSettings(codec: codec, framesPerSecond: framesPerSecond))
        for image in images { try writer.append(image) }
        try writer.finish()
    }
}
