import Pipeline
import ArgumentParser
import Diffusion
import Foundation
import Jobs
import Tensors

/// `sample` without a subcommand: draw graphs to files (the default subcommand, so `sample --graph …` is unchanged).
struct DrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draw",
        abstract: "Draw scene graphs with a trained model (the shipped one by default).",
        discussion: """
        sample --graph g.json --out a.png                  one image
        sample --graph g.json --count 8 --out DIR          8 images (one file each) and grid.png
        sample --eval graphs.jsonl --out DIR               one image per line, scored by the checker
        sample --jobs jobs.jsonl --out DIR [--shard I/N]   a resumable batch job (docs/jobs.md)
        sample --merge DIR                                 check a sharded job and merge its manifests
        sample --graph clip.frames.json --out clip.mp4     a video (also .gif, or a folder of PNGs + strip.png)
        sample --eval clips.jsonl --out DIR                one clip per {"frames": [...]} line, the video figures
        """)

    @Option(help: "A scene graph (sg2im JSON).") var graph: String?
    @Option(help: "Graphs to sample and score, one per line (JSONL, as `shapeworld render` writes).") var eval: String?
    @Option(help: "A jobs file: one job per line (JSONL, docs/jobs.md); resumable, shardable.") var jobs: String?
    @Option(help: "Check a jobs output folder and merge its shard manifests into manifest.jsonl.") var merge: String?
    @Option(help: "Output: a .png for one image, else a folder (--jobs: created or resumed).") var out: String?
    @Option(help: "--jobs: run shard I of N (0-based), e.g. 0/4.") var shard: String?
    @Option(help: "--jobs: the number of shards, the index taken from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.") var shards: Int?
    @Flag(help: "--jobs: draw again the outputs the manifest records as failed.") var retryFailed = false
    @Option(help: "Model file (default the shipped weights/shapes32.safetensors; for videos weights/shapes32_video.safetensors, found from any folder or in $SGD_WEIGHTS; --jobs: the image model).") var model: String?
    @Option(help: "--jobs: the model of the video lines (default weights/shapes32_video.safetensors if it exists; loaded only if there are videos to draw).") var videoModel: String?
    @Option(help: "Images of the graph (--jobs: of a line without \"count\").") var count = 1
    @Option(help: "Seed of the first image (image k uses seed+k).") var seed: UInt64 = 0
    @Option(help: "Sampler: dpm++2m, ddim or ddpm.") var sampler = "dpm++2m"
    @Option(help: "Sampler steps (default 20 for dpm++2m, 50 for ddim, all 1000 for ddpm).") var steps: Int?
    @Option(help: "DDIM's η (0 = deterministic).") var eta: Double?
    @Option(help: "Classifier-free guidance scale (1 = none).") var guidance = SampleSettings.defaultGuidance
    @Option(help: "Relation guidance: the graph without its relationships as a second negative (0 = none; one more UNet row per guided step).") var relationGuidance = SampleSettings.defaultRelationGuidance
    @Option(help: "Guide only the noisier timesteps, t ≥ this share of the schedule; below, the conditional model alone, one UNet row (0 = guide every step).") var guidanceCutoff = SampleSettings.defaultGuidanceCutoff
    @Option(help: "Object guidance: raise every object's cross-attention peak at the guided steps (0 = none; images only).") var objectGuidance = SampleSettings.defaultObjectGuidance
    @Option(help: "Draw N candidates per image and keep the one the pretrained encoders score closest to its graph (1 = plain; each candidate costs an image).") var bestOf = 1
    @Option(help: "Pretrained encoders that score graph–image pairs, for --best-of and --eval's learned figures (default the shipped weights/shapes32_encoder.safetensors).") var scorer: String?
    @Option(help: "Images per sampler call (memory; images do not depend on it).") var batch: Int?
    @Option(help: "Output size in pixels, a multiple of the model's size (nearest upscaling).") var size: Int?
    // Videos (issue 12).
    @Option(help: "Video frame rate (--jobs: of every video line).") var fps = 8
    @Option(help: "Video frames upscaled by this whole factor (nearest; --jobs: video lines without \"size\").") var upscale = 1

    func validate() throws {
        guard [graph, eval, jobs, merge].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --graph, --eval, --jobs and --merge")
        }
        guard merge != nil || out != nil else { throw ValidationError("--out is required") }
        guard jobs != nil || (shard == nil && shards == nil && !retryFailed && videoModel == nil) else {
            throw ValidationError("--shard, --shards, --retry-failed and --video-model apply to --jobs only")
        }
        guard batch.map({ $0 >= 1 }) ?? true else { throw ValidationError("--batch must be at least 1") }
        do {
            try SampleSettings.checkGuidance(guidance)
            try SampleSettings.checkGuidance(relationGuidance, option: "--relation-guidance")
            try SampleSettings.checkGuidanceCutoff(guidanceCutoff)
            try SampleSettings.checkObjectGuidance(objectGuidance)
            try SampleLimits.checkCount(count)
        } catch { throw ValidationError("\(error)") }
        guard eval == nil || size == nil else { throw ValidationError("--eval writes images at the model's size; --size does not apply") }
    }

    func run() throws {
        do {
            if let merge {
                print(try JobMerge(folder: URL(fileURLWithPath: merge)).run())
                return
            }
            OpenBLASCore.ensureOptimizedKernels()
            let out = out ?? ""
            // A wrong shard setting fails before the model loads.
            let jobShard = jobs == nil ? Shard.whole : try Shard.resolve(flag: shard, shards: shards, environment: ProcessInfo.processInfo.environment)
            let settings = SampleSettings(sampler: try SamplerKind(name: sampler, steps: steps, eta: eta), guidance: guidance, seed: seed, size: size,
                                          relationGuidance: relationGuidance, bestOf: bestOf, guidanceCutoff: guidanceCutoff, objectGuidance: objectGuidance)
            let input: SampleRun.Input = graph.map { .graph(URL(fileURLWithPath: $0)) } ?? eval.map { .eval(URL(fileURLWithPath: $0)) }
                ?? .jobs(URL(fileURLWithPath: jobs ?? ""))
            var request = SampleRun(input: input, output: URL(fileURLWithPath: out), model: model.map { URL(fileURLWithPath: $0) }, settings: settings)
            request.scorer = scorer.map { URL(fileURLWithPath: $0) }
            request.count = count; request.batchSize = batch; request.framesPerSecond = fps; request.upscale = upscale
            request.jobDefaults = JobDefaults(sampler: sampler, steps: steps, eta: eta, guidance: guidance, seed: seed, size: size, count: count,
                                              relationGuidance: relationGuidance, bestOf: bestOf, guidanceCutoff: guidanceCutoff,
                                              objectGuidance: objectGuidance)
            request.shard = jobShard; request.retryFailed = retryFailed
            if jobs != nil { request.videoModel = JobVideoModel.resolve(flag: videoModel) }
            print(try request.run { FileHandle.standardError.write(Data("sample: \($0)\n".utf8)) })
        } catch {
            FileHandle.standardError.write(Data("sample: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
