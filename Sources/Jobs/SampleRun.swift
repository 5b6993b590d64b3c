import Foundation
import Pipeline

/// One `sample` invocation: the library, not the executable, decides between images and clips
/// (a frame sequence or a .mp4/.gif output is a clip; an `--eval` file of `{"frames": …}` lines
/// holds clips), loads the model for it (the shipped image or video model unless one is given),
/// checks the settings against that model and runs the request. Returns what `sample` prints.
public struct SampleRun {
    /// What to draw.
    public enum Input: Sendable { case graph(URL), eval(URL), jobs(URL) }

    public var input: Input
    public var output: URL
    /// The model file; nil = the shipped model (`ShippedModel`), for clips the video one if shipped.
    public var model: URL?
    /// The pretrained encoders that score graph–image pairs (best-of-N, learned evaluation figures);
    /// nil = the shipped ones, loaded when best-of-N needs them or an evaluation can use them.
    public var scorer: URL?
    public var settings: SampleSettings
    /// Images of one graph (`--graph`).
    public var count = 1
    /// Images per UNet batch; nil = the pipeline's default.
    public var batchSize: Int?
    public var framesPerSecond = 8
    public var upscale = 1
    /// Batch jobs: the values lines leave out, the shard, whether to redraw failures, the video model.
    public var jobDefaults = JobDefaults()
    public var shard = Shard.whole
    public var retryFailed = false
    public var videoModel: JobVideoModel = .notGiven

    public init(input: Input, output: URL, model: URL?, settings: SampleSettings) {
        self.input = input; self.output = output; self.model = model; self.settings = settings
    }

    /// Whether this run draws clips.
    public var drawsClips: Bool {
        switch input {
        case .graph(let file): VideoRequest.applies(graphFile: file, output: output)
        case .eval(let file): VideoEvaluation.applies(to: file)
        case .jobs: false
        }
    }

    /// Loads the model, checks the settings, draws and writes; `notice` gets one-line notes for stderr.
    public func run(notice: (String) -> Void) throws -> String {
        let pipeline = try DiffusionPipeline(modelFile: try modelFile(notice: notice))
        if let batchSize { pipeline.batchSize = batchSize }
        if settings.bestOf > 1 && drawsClips { throw SamplingError("--best-of \(settings.bestOf): best-of-N picks images; a clip is drawn once") }
        try loadScorer(into: pipeline, notice: notice)
        try settings.check(for: pipeline)
        switch input {
        case .graph(let file) where drawsClips:
            guard count == 1 else { throw SamplingError("--count \(count): a video is one clip; draw others with other --seed values") }
            let result = try VideoRequest(graphFile: file, output: output, settings: settings, framesPerSecond: framesPerSecond, upscale: upscale)
                .run(with: pipeline)
            notice(String(format: "%d frames sampled in %.2f s, written in %.3f s", result.frames, result.samplingSeconds, result.writingSeconds))
            return result.files.count == 1 ? result.files[0].path : "\(result.files.count - 1) frames and strip.png in \(output.path)"
        case .graph(let file):
            let start = Date()
            let files = try ImageRequest(graphFile: file, count: count, output: output, settings: settings).run(with: pipeline)
            notice(String(format: "%d image%@ in %.2f s", count, count == 1 ? "" : "s", Date().timeIntervalSince(start)))
            return files.count == 1 ? files[0].path : "\(files.count - 1) images and grid.png in \(output.path)"
        case .eval(let file) where drawsClips:
            return try VideoEvaluation(clipsFile: file, output: output, settings: settings).run(with: pipeline)
        case .eval(let file):
            return try SampleEvaluation(graphsFile: file, output: output, settings: settings).run(with: pipeline)
        case .jobs(let file):
            let job = BatchJob(jobsFile: file, output: output, defaults: jobDefaults, shard: shard, retryFailed: retryFailed,
                               videoModel: videoModel, framesPerSecond: framesPerSecond, upscale: upscale)
            return "\(try job.run(with: pipeline, log: notice))"
        }
    }
}

extension SampleRun {
    /// `--model`, else the shipped model for what this run draws (`ShippedModel.forClips` for clips).
    func modelFile(notice: (String) -> Void) throws -> URL {
        if let model { return model }
        guard drawsClips else { return try ShippedModel.image.locate() }
        let (file, note) = try ShippedModel.forClips()
        if let note { notice(note) }
        return file
    }

    /// Whether this run uses a scorer: best-of-N needs one; an image evaluation reports learned
    /// figures, and job lines may ask for best-of-N, when one is given or shipped.
    var wantsScorer: Bool {
        if settings.bestOf > 1 || scorer != nil { return true }
        switch input {
        case .eval: return !drawsClips
        case .jobs: return true
        case .graph: return false
        }
    }

    /// Loads `scorer` (or the shipped encoders) into the pipeline when this run uses one. A missing
    /// or unfit shipped file only costs an evaluation its learned figures (said once); a file the
    /// user named, or one best-of-N needs, must load.
    func loadScorer(into pipeline: DiffusionPipeline, notice: (String) -> Void) throws {
        guard wantsScorer else { return }
        let required = settings.bestOf > 1 || scorer != nil
        do {
            let file = try scorer ?? ShippedModel.encoders.locate()
            try pipeline.use(scorer: try GraphImageScorer(file: file))
        } catch where !required {
            if case .eval = input { notice("no learned figures: \(error)") }
        }
    }
}
