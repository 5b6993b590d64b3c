import Diffusion
import Foundation
import GraphEncoder
import Media
import SceneGraphs
import Tensors

extension DiffusionPipeline {
    /// The video model's frame positions (nil for an image model, which draws frames independently).
    public var maximumFrames: Int? { model.unet.maximumFrames > 0 ? model.unet.maximumFrames : nil }

    /// Checks a clip before any sampling: at least one frame, at most 64, the same objects in the
    /// same order in every frame (naming the first frame and object that differ), and every frame
    /// valid for the model.
    public func validateClip(_ frames: [SceneGraph], source: String, line: Int? = nil) throws {
        func fail(_ field: String, _ graph: Int?, _ message: String) -> SceneGraphError {
            SceneGraphError(file: source, line: line, graph: graph, field: field, message: message)
        }
        guard let first = frames.first else { throw fail("frames", nil, "the frame list is empty; a clip needs at least one frame") }
        if frames.count > SceneGraphDiffusion.maximumClipFrames {
            throw fail("frames", nil, "\(frames.count) frames; a clip has at most \(SceneGraphDiffusion.maximumClipFrames)")
        }
        for (i, frame) in frames.enumerated().dropFirst() {
            for (j, name) in frame.objects.enumerated() where j < first.objects.count && name != first.objects[j] {
                throw fail("frames[\(i)].objects[\(j)]", i, "\"\(name)\" where frame 0 has \"\(first.objects[j])\" (every frame lists the same objects in the same order)")
            }
            if frame.objects.count != first.objects.count {
                throw fail("frames[\(i)].objects", i, "\(frame.objects.count) objects where frame 0 has \(first.objects.count) (every frame lists the same objects in the same order)")
            }
        }
        for (i, frame) in frames.enumerated() {
            do { try validator.validate(frame, source: source, index: i) } catch var e as SceneGraphError {
                e.line = line
                e.field = "frames[\(i)]." + (e.field ?? "")
                throw e
            }
        }
    }

    /// Draws one clip (frames already validated): one image per frame at the model's size, all from
    /// `seed`. `progress(done, total)` counts the clip's denoising steps; `cancelled()`, asked at
    /// every step, stops it by throwing `CancellationError`.
    public func clip(_ frames: [SceneGraph], seed: UInt64, settings: SampleSettings,
                     progress: ((_ done: Int, _ total: Int) -> Void)? = nil, cancelled: (() -> Bool)? = nil) throws -> [ByteImage] {
        let batch = try GraphBatch(frames, vocabulary: vocabulary)
        let x = try model.sampleClip(frames: batch, seed: seed, sampler: settings.sampler.makeSampler(), guidance: settings.classifierFreeGuidance,
                                     schedule: schedule, imageSize: imageSize, progress: { done, total in
            if cancelled?() == true { throw CancellationError() }
            progress?(done, total)
        })
        return try Self.byteImages(x)
    }
}
