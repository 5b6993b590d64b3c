import Pipeline
import Diffusion
import Foundation
import Media
import NN
import SceneGraphs
import ShapeWorld
import Testing
@testable import Jobs

/// Video lines of `sample --jobs`: drawn with the video model like images are with the image model,
/// or failed with a reason that says what is missing.
@Suite struct BatchJobVideoTests {
    static let defaults = BatchJobTests.defaults

    static func clipLine(_ id: String, frames: Int, extra: String = "") -> String {
        #"{"id": "\#(id)", "frames": \#(TinyVideo.frameList(frames))\#(extra)}"#
    }

    static func writeJobs(_ lines: [String], in dir: URL, name: String = "jobs.jsonl") throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        return url
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func imageAndVideoLinesAreDrawnResumedAndShardedLikeImages() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let videoModel = try TinyVideo.writeModel(in: dir)
        let jobs = try Self.writeJobs(BatchJobTests.goodLines(3) + [
            Self.clipLine("clip a", frames: 4, extra: #", "count": 2, "seed": 11"#),
            Self.clipLine("clip-b", frames: 3, extra: #", "size": 32"#),
        ], in: dir)
        let out = dir.appendingPathComponent("out")
        let job = BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, batchSize: 2, videoModel: .file(videoModel),
                           framesPerSecond: 5, upscale: 2)
        let summary = try job.run(with: sampler, showProgress: false)
        #expect(summary.drawn == 6 + 3 && summary.failed == 0 && summary.succeeded == 9)
        let entries = try BatchJobTests.manifest(out)
        #expect(entries.count == 9 && entries.allSatisfy { $0.status == .ok })
        let clipA = SafeFileName.make("clip a")
        let videos = try BatchJobTests.outputs(out, in: "videos")
        #expect(Set(videos.keys) == ["videos/\(clipA)/000000.mp4", "videos/\(clipA)/000001.mp4", "videos/clip-b/000000.mp4"])
        #expect(entries.first { $0.id == "clip a" && $0.index == 1 }?.files == ["videos/\(clipA)/000001.mp4"])
        #expect(entries.first { $0.id == "clip a" && $0.index == 1 }?.seed == 12)
        // --upscale 2 for a line without size; a line's size wins over it.
        let a = try VideoReader.decode(out.appendingPathComponent("videos/\(clipA)/000001.mp4"))
        #expect(a.frames.count == 4 && a.width == 32 && abs(a.framesPerSecond - 5) < 1e-9)
        let b = try VideoReader.decode(out.appendingPathComponent("videos/clip-b/000000.mp4"))
        #expect(b.frames.count == 3 && b.width == 32)
        #expect(videos["videos/\(clipA)/000000.mp4"] != videos["videos/\(clipA)/000001.mp4"])

        // The same clip drawn alone (`sample --graph clip.frames.json --seed 12 --out x.mp4`) is the same file.
        let clipFile = try TinyModel.writeGraph(TinyVideo.frames(4), in: dir, name: "clip.frames.json")
        let alone = dir.appendingPathComponent("alone.mp4")
        let settings = SampleSettings(sampler: try SamplerKind(name: "ddim", steps: 1), guidance: 2, seed: 12)
        try VideoRequest(graphFile: clipFile, output: alone, settings: settings, framesPerSecond: 5, upscale: 2)
            .run(with: try DiffusionPipeline(modelFile: videoModel))
        #expect(try Data(contentsOf: alone) == videos["videos/\(clipA)/000001.mp4"])

        // A kill after a video was written but before its line: the file is there, unrecorded, and a
        // temporary file of the next write is left. The rerun redraws it (same bytes) and cleans up.
        let manifestURL = out.appendingPathComponent("manifest.jsonl")
        let kept = entries.filter { !($0.id == "clip a" && $0.index == 0) }
        try Data(try kept.map { try $0.jsonLine() + "\n" }.joined().utf8).write(to: manifestURL)
        let stale = out.appendingPathComponent("videos/\(clipA)/.000000.partial-12345-678.mp4")
        try Data([1, 2, 3]).write(to: stale)
        let rerun = try job.run(with: sampler, showProgress: false)
        #expect(rerun.drawn == 1 && rerun.alreadyDone == 8)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(try BatchJobTests.outputs(out, in: "videos") == videos)
        #expect(try BatchJobTests.manifest(out).count == 9)
        // Nothing left to draw: the video model is not even loaded (this path does not exist).
        var done = job
        done.videoModel = .file(dir.appendingPathComponent("absent.safetensors"))
        #expect(try done.run(with: sampler, showProgress: false).drawn == 0)

        // Shards with other batch sizes draw the same videos, and merge to the whole run.
        let sharded = dir.appendingPathComponent("sharded")
        for i in 0..<2 {
            _ = try BatchJob(jobsFile: jobs, output: sharded, defaults: Self.defaults, shard: try Shard(index: i, count: 2), batchSize: 1 + i,
                             videoModel: .file(videoModel), framesPerSecond: 5, upscale: 2).run(with: sampler, showProgress: false)
        }
        let report = try JobMerge(folder: sharded).run()
        #expect(report.entries.count == 9 && report.entries.allSatisfy { $0.status == .ok })
        #expect(try BatchJobTests.outputs(sharded, in: "videos") == videos)
        #expect(try BatchJobTests.outputs(sharded) == BatchJobTests.outputs(out))
    }

    @Test func whileNoVideoModelIsShippedTheImageModelDrawsTheClipsAndSaysSoOnce() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let videoModel = try TinyVideo.writeModel(in: dir, name: "shapes32_video.safetensors")
        #expect(JobVideoModel.resolve(flag: nil, folders: [dir]) == .file(videoModel))
        let empty = dir.appendingPathComponent("empty")
        #expect(JobVideoModel.resolve(flag: nil, folders: [empty]) == .imageModel)

        let image = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let jobs = try Self.writeJobs(BatchJobTests.goodLines(1) + [Self.clipLine("v", frames: 3, extra: #", "count": 2, "seed": 4"#)], in: dir)
        let out = dir.appendingPathComponent("out")
        var notes: [String] = []
        let summary = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, videoModel: .imageModel)
            .run(with: image, showProgress: false, log: { notes.append($0) })
        #expect(summary.drawn == 3 && summary.failed == 0)
        #expect(notes.filter { $0 == ShippedModel.imageModelDrawsClips }.count == 1)
        // Each clip is the image model's clip of `sample --graph`: every frame from one noise.
        let clipFile = try TinyModel.writeGraph(TinyVideo.frames(3), in: dir, name: "clip.frames.json")
        let alone = dir.appendingPathComponent("alone.mp4")
        let settings = SampleSettings(sampler: try SamplerKind(name: "ddim", steps: 1), guidance: 2, seed: 5)
        try VideoRequest(graphFile: clipFile, output: alone, settings: settings, framesPerSecond: 8, upscale: 1).run(with: image)
        let videos = try BatchJobTests.outputs(out, in: "videos")
        let aloneBytes = try Data(contentsOf: alone)
        #expect(videos.count == 2 && videos["videos/v/000001.mp4"] == aloneBytes)
    }

    @Test func withoutAVideoModelVideosFailNamingWhatIsMissingUntilRetriedWithOne() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(JobVideoModel.missingReason() == "no video model: pass --video-model PATH (weights/shapes32_video.safetensors does not exist)")
        let absent = dir.appendingPathComponent("video.safetensors").path
        #expect(JobVideoModel.resolve(flag: nil, defaultPath: absent) == .missing(reason: JobVideoModel.missingReason(defaultPath: absent)))
        #expect(JobVideoModel.resolve(flag: "/x/v.safetensors", defaultPath: absent) == .file(URL(fileURLWithPath: "/x/v.safetensors")))

        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let videoModel = try TinyVideo.writeModel(in: dir)
        #expect(JobVideoModel.resolve(flag: nil, defaultPath: videoModel.path) == .file(videoModel))
        let jobs = try Self.writeJobs(BatchJobTests.goodLines(1) + [Self.clipLine("v", frames: 2, extra: #", "count": 2"#)], in: dir)
        let out = dir.appendingPathComponent("out")
        let first = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults).run(with: sampler, showProgress: false)
        #expect(first.failed == 2 && first.drawn == 1)
        #expect(try BatchJobTests.manifest(out).filter { $0.id == "v" }.map(\.reason) == [JobVideoModel.missingReason(), JobVideoModel.missingReason()])

        // A model alone does not redraw what the manifest records as failed; --retry-failed does.
        let kept = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, videoModel: .file(videoModel)).run(with: sampler, showProgress: false)
        #expect(kept.failed == 2 && kept.drawn == 0)
        let retried = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, retryFailed: true, videoModel: .file(videoModel))
            .run(with: sampler, showProgress: false)
        #expect(retried.drawn == 2 && retried.failed == 0)
        let entries = try BatchJobTests.manifest(out)
        #expect(entries.count == 3 && entries.allSatisfy { $0.status == .ok && $0.reason == nil })
        #expect(try BatchJobTests.outputs(out, in: "videos").count == 2)
    }

    @Test func aLineWithMoreThan64FramesFailsAndTheOthersAreDone() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let videoModel = try TinyVideo.writeModel(in: dir, frames: 4)
        let jobs = try Self.writeJobs(BatchJobTests.goodLines(1) + [
            Self.clipLine("long", frames: 65, extra: #", "count": 2"#),
            Self.clipLine("short", frames: 3),
        ], in: dir)
        let out = dir.appendingPathComponent("out")
        let summary = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, videoModel: .file(videoModel))
            .run(with: sampler, showProgress: false)
        #expect(summary.failed == 2 && summary.drawn == 2 && summary.badLines == 0)
        let entries = try BatchJobTests.manifest(out)
        let reason = "video model \(videoModel.path): frames: 65 frames; a clip has at most 64"
        #expect(entries.filter { $0.id == "long" }.map(\.reason) == [reason, reason])
        #expect(entries.filter { $0.id != "long" }.allSatisfy { $0.status == .ok })
        #expect(try BatchJobTests.outputs(out, in: "videos").keys.sorted() == ["videos/short/000000.mp4"])
    }

    @Test func videoModelsThatDoNotFitFailTheirVideosAndUnreadableOnesStopTheRun() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let imageModel = try TinyModel.write(in: dir)
        let sampler = try DiffusionPipeline(modelFile: imageModel)
        let jobs = try Self.writeJobs(BatchJobTests.goodLines(1) + [Self.clipLine("v", frames: 2)], in: dir)
        func reason(_ model: URL, _ name: String) throws -> String? {
            let out = dir.appendingPathComponent(name)
            let summary = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, videoModel: .file(model)).run(with: sampler, showProgress: false)
            #expect(summary.drawn == 1 && summary.failed == 1)
            return try BatchJobTests.manifest(out).first { $0.id == "v" }?.reason
        }
        let advice = "train the video model from the image model: train --config configs/shapes32_video.yaml --init IMAGE_MODEL"
        #expect(try reason(imageModel, "image") == "\(imageModel.path) is not a video model (it has no model.frames; \(advice))")

        let bigFolder = dir.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: bigFolder, withIntermediateDirectories: false)
        let big = try TinyVideo.writeModel(in: bigFolder, imageSize: 32)
        #expect(try reason(big, "size") == "\(big.path): the video model draws 32×32 frames, the image model 16×16 images (\(advice))")

        var objects = Vocabulary.shapeWorld.objectNames
        objects.swapAt(1, 2)
        let otherFolder = dir.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: otherFolder, withIntermediateDirectories: false)
        let other = try TinyVideo.writeModel(in: otherFolder, vocabulary: try Vocabulary(objects: objects, predicates: Vocabulary.shapeWorld.predicateNames))
        #expect(try reason(other, "vocabulary")
            == "\(other.path): the video model's vocabulary differs from the image model's: its object 1 is \"\(objects[1])\", the image model's \"\(objects[2])\" (\(advice))")

        // A missing or truncated file stops the run before anything is drawn, with the image model's message.
        let missing = dir.appendingPathComponent("none.safetensors")
        let truncated = dir.appendingPathComponent("truncated.safetensors")
        let bytes = try Data(contentsOf: try TinyVideo.writeModel(in: dir))
        try bytes.prefix(bytes.count - 100).write(to: truncated)
        for (model, expected) in [(missing, "\(missing.path): no such model file"), (truncated, "\(truncated.path): not a readable safetensors file")] {
            let out = dir.appendingPathComponent("stopped-" + model.lastPathComponent)
            let text = message { _ = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, videoModel: .file(model)).run(with: sampler, showProgress: false) }
            #expect(text.contains(expected), "\(text)")
            #expect(try BatchJobTests.manifest(out).isEmpty)
        }
        // A job without video lines never reads the video model.
        let images = try Self.writeJobs(BatchJobTests.goodLines(1), in: dir, name: "images.jsonl")
        #expect(try BatchJob(jobsFile: images, output: dir.appendingPathComponent("images-only"), defaults: Self.defaults, videoModel: .file(missing))
            .run(with: sampler, showProgress: false).drawn == 1)
    }
}
