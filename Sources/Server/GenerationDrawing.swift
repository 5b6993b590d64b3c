import Foundation
import Jobs
import Media
import Pipeline

/// Draws one generation through `DiffusionPipeline`, exactly as `sample` would: images with seed
/// + k, upscaled and PNG-encoded like `ImageRequest`'s files; clips encoded as MP4 and GIF by
/// `VideoRequest`'s writer (through a file, which `VideoWriter` needs, then read back and removed).
struct GenerationDrawing {
    let models: LoadedModels
    /// Where clip files are encoded; nothing is left there when a draw returns or throws.
    let scratch: URL
    /// The frame rate of clips: `sample`'s default `--fps`.
    static let framesPerSecond = 8

    struct Result: Sendable {
        var images: [[UInt8]] = []
        var clips: [ClipFiles] = []
    }

    /// Draws `request`; `report` gets the progress after each step; `cancelled` is asked at every step.
    func draw(_ id: String, _ request: GenerationRequest, report: @escaping (GenerationProgress) -> Void,
              cancelled: @escaping () -> Bool) throws -> Result {
        let settings = request.settings
        var progress = GenerationProgress(total: request.count)
        switch request.work {
        case .images(let graph):
            let pipeline = models.image
            let factor = try pipeline.upscaleFactor(for: settings.size)
            let requests = (0..<request.count).map { (graph: graph, seed: settings.seed &+ UInt64($0)) }
            let batch = max(pipeline.batchSize, 1)
            let images = try pipeline.images(requests, settings: settings, progress: { done in
                progress.done = done
                progress.fraction = Double(done) / Double(request.count)
                report(progress)
            }, cancelled: cancelled, stepProgress: { step, steps in
                progress.step = step; progress.steps = steps
                let inBatch = min(batch, request.count - progress.done)
                progress.fraction = (Double(progress.done) + Double(inBatch) * Double(step) / Double(max(steps, 1))) / Double(request.count)
                report(progress)
            })
            return Result(images: try images.map { try PNGCodec.encode($0.upscaled(by: factor)) })
        case .clips(let frames):
            guard let pipeline = models.video else { throw GenerationRequest.noVideoModel }
            let factor = try pipeline.upscaleFactor(for: settings.size)
            var result = Result()
            for k in 0..<request.count {
                let images = try pipeline.clip(frames, seed: settings.seed &+ UInt64(k), settings: settings, progress: { step, steps in
                    progress.step = step; progress.steps = steps
                    progress.fraction = (Double(k) + Double(step) / Double(max(steps, 1))) / Double(request.count)
                    report(progress)
                }, cancelled: cancelled).map { $0.upscaled(by: factor) }
                result.clips.append(ClipFiles(mp4: try encode(images, id: id, index: k, as: "mp4"),
                                              gif: try encode(images, id: id, index: k, as: "gif")))
                progress.done = k + 1
                report(progress)
            }
            return result
        }
    }

    /// One clip as `sample --graph … --out clip.EXT` writes it, read back into memory.
    private func encode(_ frames: [ByteImage], id: String, index: Int, as ext: String) throws -> [UInt8] {
        let file = scratch.appendingPathComponent("\(id)-\(index).\(ext)")
        defer { try? FileManager.default.removeItem(at: file) }
        let writer = VideoRequest(graphFile: file, output: file, settings: SampleSettings(sampler: .ddpm(steps: nil), guidance: 0, seed: 0),
                                  framesPerSecond: Self.framesPerSecond)
        _ = try writer.write(frames, folder: nil)
        return Array(try Data(contentsOf: file))
    }
}
