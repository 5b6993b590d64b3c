import Pipeline
import Foundation
import Media
import Output
import SceneGraphs

/// `sample --graph clip.frames.json --out clip.mp4|clip.gif|DIR`: one clip of a frame sequence
/// (`{"frames": [graph, …]}`), written as H.264 MP4, an animated GIF, or a new folder of
/// `000000.png …` plus `strip.png` (the frames side by side). The output appears whole or not at all.
public struct VideoRequest {
    /// What `output` becomes, by its extension.
    public enum Container: Equatable, Sendable { case mp4, gif, folder }

    public var graphFile: URL
    public var output: URL
    /// Sampler, guidance and seed (the clip's one seed); `size` does not apply (see `upscale`).
    public var settings: SampleSettings
    public var framesPerSecond: Int
    /// Whole factor of nearest upscaling from the model's size.
    public var upscale: Int

    public init(graphFile: URL, output: URL, settings: SampleSettings, framesPerSecond: Int = 8, upscale: Int = 1) {
        self.graphFile = graphFile; self.output = output; self.settings = settings
        self.framesPerSecond = framesPerSecond; self.upscale = upscale
    }

    public var container: Container {
        switch output.pathExtension.lowercased() {
        case "mp4": .mp4
        case "gif": .gif
        default: .folder
        }
    }

    /// Whether `sample --graph FILE --out OUT` asks for a video: OUT is .mp4/.gif, or FILE holds frames.
    public static func applies(graphFile: URL, output: URL) -> Bool {
        if ["mp4", "gif"].contains(output.pathExtension.lowercased()) { return true }
        guard let document = try? SceneGraphDecoder.decode(contentsOf: graphFile), case .sequence = document else { return false }
        return true
    }

    /// Reads and validates the frame sequence.
    public func frames(for pipeline: DiffusionPipeline) throws -> [SceneGraph] {
        guard case .sequence(let sequence) = try SceneGraphDecoder.decode(contentsOf: graphFile) else {
            throw SamplingError("\(graphFile.path): a video needs a frame sequence ({\"frames\": [graph, …]})")
        }
        var duplicates = DuplicateRelationships()
        let frames = sequence.frames.enumerated().map { duplicates.distinct($1, at: "\(graphFile.path) frames[\($0)]") }
        if let notice = duplicates.notice { Notice.write(notice) }
        try pipeline.validateClip(frames, source: graphFile.path)
        return frames
    }

    /// What a run wrote and how long its two halves took.
    public struct Result: Sendable {
        public var files: [URL]
        public var frames: Int
        public var samplingSeconds: Double
        public var writingSeconds: Double
    }

    /// Validates, samples the clip, and writes it.
    @discardableResult
    public func run(with pipeline: DiffusionPipeline) throws -> Result {
        try ClipFile.checkOptions(framesPerSecond: framesPerSecond, upscale: upscale)
        if settings.size != nil { throw SamplingError("--size does not apply to a video; use --upscale N (a whole factor of the model's size)") }
        let frames = try frames(for: pipeline)
        // Where the output goes is checked before the (long) sampling, not after.
        let folder = container == .folder ? try OutputFolder(output) : nil
        if folder == nil { try checkWritableParent(of: output) }
        var progress: ProgressBar?
        let start = Date()
        let images = try pipeline.clip(frames, seed: settings.seed, settings: settings) { done, total in
            if progress == nil { progress = ProgressBar("sample", total: total) }
            progress?.update(done)
        }
        progress?.finish()
        let sampled = Date()
        let files = try write(images.map { $0.upscaled(by: upscale) }, folder: folder)
        return Result(files: files, frames: frames.count, samplingSeconds: sampled.timeIntervalSince(start),
                      writingSeconds: Date().timeIntervalSince(sampled))
    }

    /// Writes frames to the output (MP4, GIF, or the folder already opened for it).
    public func write(_ images: [ByteImage], folder: OutputFolder?) throws -> [URL] {
        guard !images.isEmpty else { throw SamplingError("\(output.path): no frames to write") }
        switch container {
        case .mp4, .gif:
            try ClipFile.write(images, to: output, codec: container == .gif ? .gif : .h264, framesPerSecond: framesPerSecond)
            return [output]
        case .folder:
            guard let folder else { throw SamplingError("\(output.path): the output folder was not opened") }
            var written: [URL] = []
            try folder.fill { staging in
                for (i, image) in images.enumerated() {
                    try PNGCodec.write(image, to: staging.appendingPathComponent(String(format: "%06d.png", i)))
                    written.append(output.appendingPathComponent(String(format: "%06d.png", i)))
                }
                try PNGCodec.write(try ByteImage.grid(images, columns: images.count), to: staging.appendingPathComponent("strip.png"))
                written.append(output.appendingPathComponent("strip.png"))
            }
            return written
        }
    }
}
