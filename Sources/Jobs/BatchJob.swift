import Pipeline
import Diffusion
import Foundation
import Media
import Output
import SceneGraphs

/// `sample --jobs jobs.jsonl --out DIR`: every good line's outputs — images drawn in batches that mix
/// lines with the same sampler settings, videos one clip at a time with the video model — written atomically, each recorded in the shard's manifest once its
/// files exist. A rerun skips what the manifest says is done and redoes the rest (docs/jobs.md).
public struct BatchJob {
    public var jobsFile: URL
    public var output: URL
    public var defaults: JobDefaults
    public var shard: Shard
    /// Draws again the outputs that the manifest records as failed.
    public var retryFailed: Bool
    /// Outputs per sampler call; nil takes the sampler's batch size.
    public var batchSize: Int?
    /// What draws the video lines (loaded only if this shard has video outputs to draw).
    public var videoModel: JobVideoModel
    /// Frame rate of the video outputs (`--fps`; jobs lines have no key for it).
    public var framesPerSecond: Int
    /// Upscale factor of video lines without a `size` (`--upscale`).
    public var upscale: Int

    public init(jobsFile: URL, output: URL, defaults: JobDefaults, shard: Shard = .whole, retryFailed: Bool = false, batchSize: Int? = nil,
                videoModel: JobVideoModel = .notGiven, framesPerSecond: Int = 8, upscale: Int = 1) {
        self.jobsFile = jobsFile; self.output = output; self.defaults = defaults; self.shard = shard
        self.retryFailed = retryFailed; self.batchSize = batchSize
        self.videoModel = videoModel; self.framesPerSecond = framesPerSecond; self.upscale = upscale
    }

    /// Runs this shard of the job; `log` gets one-line notices (bad lines, cleanup), the progress bar goes to stderr.
    public func run(with pipeline: DiffusionPipeline, showProgress: Bool = true, log: (String) -> Void = { _ in }) throws -> JobSummary {
        let start = Date()
        try ClipFile.checkOptions(framesPerSecond: framesPerSecond, upscale: upscale)
        let plan = try JobPlan.read(jobsFile, validator: pipeline.validator, imageSize: pipeline.imageSize,
                                   timesteps: pipeline.setup.timesteps, scores: pipeline.scorer != nil, defaults: defaults)
        try JobFolder.prepare(output)
        let manifestURL = output.appendingPathComponent(shard.manifestName)
        let writer = try ManifestWriter(url: manifestURL)
        defer { writer.close() }
        try JobFolder.writePlan(plan, to: output)
        if let notice = plan.duplicates.notice { log(notice) }
        for error in plan.errors.prefix(10) { log("bad line: \(error)") }
        if plan.errors.count > 10 { log("… and \(plan.errors.count - 10) more bad lines in \(output.appendingPathComponent(JobFolder.errorsName).path)") }

        let mine = plan.items.enumerated().filter { shard.owns($0.offset) }.map(\.element)
        let (kept, todo, dropped) = try sortOut(mine, manifest: ManifestContents.read(manifestURL))
        try writer.reset(to: kept)
        if dropped > 0 { log("\(manifestURL.lastPathComponent): \(dropped) lines dropped (torn by a crash, redone, or no longer in the jobs file)") }

        var removed = 0
        // Every output of this shard, done or not: a temporary file never belongs to a finished write.
        for (folder, items) in Dictionary(grouping: mine, by: { output.appendingPathComponent($0.files[0]).deletingLastPathComponent() }) {
            removed += JobFolder.removeStaleTemporaries(in: folder, stems: Set(items.map { JobItem.stem($0.index) }))
        }
        if removed > 0 { log("removed \(removed) temporary files of writes a killed run left") }

        var summary = JobSummary(shard: shard, outputs: mine.count, alreadyDone: kept.count, badLines: plan.errors.count,
                                 errorsFile: output.appendingPathComponent(JobFolder.errorsName).path)
        summary.failed = kept.filter { $0.status == .failed }.count
        summary.succeeded = kept.count - summary.failed
        let bar = showProgress ? ProgressBar(shard.count == 1 ? "jobs" : "jobs \(shard)", total: mine.count, startingAt: kept.count) : nil
        var done = kept.count

        // Before any drawing: a video model that cannot be read stops the run now, not after the images.
        let videos = try prepareVideos(todo.filter { $0.spec.kind == .video }, imagePipeline: pipeline)
        if videoModel == .imageModel && !videos.toDraw.isEmpty { log(ShippedModel.imageModelDrawsClips) }
        try writer.append(videos.failed)
        summary.failed += videos.failed.count
        done += videos.failed.count
        bar?.update(done)

        let drawStart = Date()
        let size = max(1, batchSize ?? pipeline.batchSize)
        for group in Self.groups(todo.filter { $0.spec.kind == .image }) {
            for lower in stride(from: 0, to: group.count, by: size) {
                let batch = Array(group[lower..<min(lower + size, group.count)])
                let entries = try draw(batch, with: pipeline)
                try writer.append(entries)
                summary.drawn += entries.count
                summary.succeeded += entries.count
                done += entries.count
                bar?.update(done)
            }
        }
        if let model = videos.model {
            for item in videos.toDraw {
                try writer.append([try drawVideo(item, with: model)])
                summary.drawn += 1
                summary.succeeded += 1
                done += 1
                bar?.update(done)
            }
        }
        bar?.finish()
        summary.drawingSeconds = Date().timeIntervalSince(drawStart)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Splits the shard's outputs into manifest lines to keep and outputs to draw. A line is kept if it
    /// is whole, matches the output (seed, files) and — when ok — its files exist; failed lines are
    /// kept unless retrying. Returns how many lines were dropped.
    func sortOut(_ items: [JobItem], manifest: ManifestContents) -> (kept: [ManifestEntry], todo: [JobItem], dropped: Int) {
        var latest: [ItemKey: ManifestEntry] = [:]
        for entry in manifest.entries { latest[entry.key] = entry }
        var kept: [ManifestEntry] = [], todo: [JobItem] = []
        for item in items {
            if let entry = latest[item.key], entry.seed == item.seed, isFinal(entry, for: item) {
                kept.append(entry)
            } else {
                todo.append(item)
            }
        }
        return (kept, todo, manifest.entries.count + manifest.damagedLines.count - kept.count)
    }

    private func isFinal(_ entry: ManifestEntry, for item: JobItem) -> Bool {
        switch entry.status {
        case .failed: return !retryFailed
        case .ok: return entry.files == item.files && entry.files.allSatisfy { FileManager.default.fileExists(atPath: output.appendingPathComponent($0).path) }
        }
    }

    /// Outputs that share sampler and guidance, in job order: one group is drawn in full batches whatever lines they came from.
    static func groups(_ items: [JobItem]) -> [[JobItem]] {
        var groups: [[JobItem]] = []
        for item in items {
            if let g = groups.firstIndex(where: { $0[0].spec.settings.sampler == item.spec.settings.sampler
                && $0[0].spec.settings.classifierFreeGuidance == item.spec.settings.classifierFreeGuidance && $0[0].spec.settings.bestOf == item.spec.settings.bestOf }) {
                groups[g].append(item)
            } else {
                groups.append([item])
            }
        }
        return groups
    }

    /// Draws one batch of images, writes each image atomically and returns the manifest lines for them.
    func draw(_ batch: [JobItem], with pipeline: DiffusionPipeline) throws -> [ManifestEntry] {
        let started = Date()
        let requests = batch.map { item -> (graph: SceneGraph, seed: UInt64) in
            guard case .graph(let g) = item.spec.source else { preconditionFailure("image items hold a resolved graph") }
            return (g, item.seed)
        }
        let images = try pipeline.images(requests, settings: batch[0].spec.settings)
        for (item, image) in zip(batch, images) {
            let factor = (item.spec.settings.size ?? pipeline.imageSize) / pipeline.imageSize
            let url = output.appendingPathComponent(item.files[0])
            try ensureFolder(url.deletingLastPathComponent())
            try AtomicFile.write(try PNGCodec.encode(factor > 1 ? image.upscaled(by: factor) : image), to: url)
        }
        let share = Date().timeIntervalSince(started) / Double(batch.count)
        return batch.map { item in
            ManifestEntry(id: item.spec.id, index: item.index, files: item.files, seed: item.seed,
                          seconds: Self.milliseconds(share), status: .ok, line: item.spec.line)
        }
    }

    /// Seconds rounded to milliseconds, as the manifest records them.
    static func milliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    /// Creates an output's folder (`images/<id>` or `videos/<id>`) and its parent if missing.
    func ensureFolder(_ folder: URL) throws {
        guard !FileManager.default.fileExists(atPath: folder.path) else { return }
        let parent = folder.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: parent.path) { try JobFolder.makeFolder(parent) }
        try JobFolder.makeFolder(folder)
    }
}

/// What a run of one shard did, for the end-of-run line.
public struct JobSummary: Sendable, CustomStringConvertible {
    public var shard: Shard
    /// Outputs in this shard.
    public var outputs: Int
    /// Outputs a previous run had finished (ok or failed).
    public var alreadyDone: Int
    /// Outputs drawn by this run.
    public var drawn = 0
    /// Outputs recorded as failed (now or before).
    public var failed = 0
    /// Outputs on disk and in the manifest (now or before).
    public var succeeded = 0
    public var badLines: Int
    public var errorsFile: String
    public var seconds = 0.0
    /// Time spent drawing and writing, without reading the plan.
    public var drawingSeconds = 0.0

    /// Outputs (images and videos) drawn per second of drawing time.
    public var outputsPerSecond: Double { drawn == 0 ? 0 : Double(drawn) / max(drawingSeconds, 1e-9) }

    public var description: String {
        var parts = [(shard.count == 1 ? "jobs" : "shard \(shard)") + ": \(succeeded) of \(outputs) outputs done (\(drawn) drawn now, \(alreadyDone) done before)"]
        if failed > 0 { parts.append("\(failed) failed (see the manifest's reasons)") }
        parts.append(badLines == 0 ? "no bad lines" : "\(badLines) bad lines in \(errorsFile)")
        parts.append(String(format: "%.1f s, %.2f outputs/s", seconds, outputsPerSecond))
        return parts.joined(separator: "; ")
    }
}
