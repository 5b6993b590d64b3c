import Pipeline
import Foundation
import SceneGraphs

/// The video outputs of a batch job: the model that draws them, the outputs it cannot draw (with
/// the reason each manifest line records), and the drawing of one clip into `videos/<id>/…mp4`.
extension BatchJob {
    /// A shard's video outputs sorted out before any drawing.
    struct VideoWork {
        /// The loaded video model; nil when nothing is left to draw with it.
        var model: DiffusionPipeline?
        /// Failed manifest lines for the outputs that cannot be drawn.
        var failed: [ManifestEntry] = []
        /// Outputs to draw with `model`, in job order.
        var toDraw: [JobItem] = []
    }

    /// Loads the video model only if `items` is not empty — a missing or unreadable file throws, as the
    /// image model's does — and fails the outputs of a model that does not fit the image model, or
    /// of a line whose frames it cannot draw.
    func prepareVideos(_ items: [JobItem], imagePipeline: DiffusionPipeline) throws -> VideoWork {
        guard !items.isEmpty else { return VideoWork() }
        let model: DiffusionPipeline, label: String
        switch videoModel {
        case .missing(let reason): return VideoWork(failed: items.map { Self.failure($0, reason) })
        case .imageModel: model = imagePipeline; label = "image model"
        case .file(let url):
            model = try DiffusionPipeline(modelFile: url); label = "video model " + url.path
            if let misfit = Self.misfit(video: model, path: url.path, image: imagePipeline) {
                return VideoWork(failed: items.map { Self.failure($0, misfit) })
            }
        }
        // One check per line, not per output: a line of 1000 clips has one frame list.
        let specs = Dictionary(items.map { ($0.spec.line, $0.spec) }, uniquingKeysWith: { first, _ in first })
        let problems = specs.compactMapValues { clipProblem($0, model: model, label: label) }
        var work = VideoWork(model: model)
        for item in items {
            if let reason = problems[item.spec.line] { work.failed.append(Self.failure(item, reason)) } else { work.toDraw.append(item) }
        }
        if work.toDraw.isEmpty { work.model = nil }
        return work
    }

    /// Why `video` cannot draw this job's clips, or nil: it must be a video model, and draw the image
    /// model's size and vocabulary (the plan checked every line's size and words against the image model).
    static func misfit(video: DiffusionPipeline, path: String, image: DiffusionPipeline) -> String? {
        let advice = "train the video model from the image model: train --config configs/shapes32_video.yaml --init IMAGE_MODEL"
        guard video.maximumFrames != nil else { return "\(path) is not a video model (it has no model.frames; \(advice))" }
        guard video.imageSize == image.imageSize else {
            return "\(path): the video model draws \(video.imageSize)×\(video.imageSize) frames, the image model \(image.imageSize)×\(image.imageSize) images (\(advice))"
        }
        func difference(_ kind: String, _ theirs: [String], _ ours: [String]) -> String? {
            guard theirs != ours else { return nil }
            if let i = (0..<min(theirs.count, ours.count)).first(where: { theirs[$0] != ours[$0] }) {
                return "its \(kind) \(i) is \"\(theirs[i])\", the image model's \"\(ours[i])\""
            }
            return "it has \(theirs.count) \(kind) names, the image model \(ours.count)"
        }
        if let d = difference("object", video.vocabulary.objectNames, image.vocabulary.objectNames)
            ?? difference("predicate", video.vocabulary.predicateNames, image.vocabulary.predicateNames) {
            return "\(path): the video model's vocabulary differs from the image model's: \(d) (\(advice))"
        }
        return nil
    }

    /// Why `model` (named by `label`) cannot draw this line's frames (too many for its frame positions, a graph beyond its limits), or nil.
    func clipProblem(_ spec: JobSpec, model: DiffusionPipeline, label: String) -> String? {
        do {
            try model.validateClip(Self.frames(of: spec), source: jobsFile.path, line: spec.line)
            return nil
        } catch let e as SceneGraphError {
            return "\(label): " + (e.field.map { "\($0): " } ?? "") + e.message
        } catch {
            return "\(label): \(error)"
        }
    }

    /// Draws one clip from the output's own seed, writes it atomically as MP4 and returns its manifest line.
    func drawVideo(_ item: JobItem, with model: DiffusionPipeline) throws -> ManifestEntry {
        let started = Date()
        let images = try model.clip(Self.frames(of: item.spec), seed: item.seed, settings: item.spec.settings)
        // A size (the line's or --size, checked by the plan) scales as it does for images; else --upscale.
        let factor = item.spec.settings.size.map { $0 / model.imageSize } ?? upscale
        let url = output.appendingPathComponent(item.files[0])
        try ensureFolder(url.deletingLastPathComponent())
        try ClipFile.write(images.map { $0.upscaled(by: factor) }, to: url, codec: .h264, framesPerSecond: framesPerSecond)
        return ManifestEntry(id: item.spec.id, index: item.index, files: item.files, seed: item.seed,
                             seconds: Self.milliseconds(Date().timeIntervalSince(started)), status: .ok, line: item.spec.line)
    }

    static func failure(_ item: JobItem, _ reason: String) -> ManifestEntry {
        ManifestEntry(id: item.spec.id, index: item.index, files: [], seed: item.seed, seconds: 0, status: .failed,
                      reason: reason, line: item.spec.line)
    }

    static func frames(of spec: JobSpec) -> [SceneGraph] {
        guard case .frames(let frames) = spec.source else { preconditionFailure("video items hold resolved frames (JobPlan)") }
        return frames
    }
}
