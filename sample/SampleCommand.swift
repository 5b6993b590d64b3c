import ArgumentParser
import Diffusion
import Foundation
import Jobs
import Tensors

@main
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw scene graphs with a trained model (the shipped one by default).",
        discussion: """
        sample --graph g.json --out a.png                  one image
        sample --graph g.json --count 8 --out DIR          8 images (one file each) and grid.png
        sample --eval graphs.jsonl --out DIR               one image per line, scored by the checker
        sample --graph clip.frames.json --out clip.mp4     a video (also .gif, or a folder of PNGs + strip.png)
        sample --eval clips.jsonl --out DIR                one clip per {"frames": [...]} line, the video figures
        """)

    @Option(help: "A scene graph (sg2im JSON).") var graph: String?
    @Option(help: "Graphs to sample and score, one per line (JSONL, as `shapeworld render` writes).") var eval: String?
    @Option(help: "Output: a .png for one image, else a new folder.") var out: String
    @Option(help: "Model file (default weights/shapes32.safetensors; for videos weights/shapes32_video.safetensors).") var model: String?
    @Option(help: "Images of the graph.") var count = 1
    @Option(help: "Seed of the first image (image k uses seed+k).") var seed: UInt64 = 0
    @Option(help: "Sampler: dpm++2m, ddim or ddpm.") var sampler = "dpm++2m"
    @Option(help: "Sampler steps (default 20 for dpm++2m, 50 for ddim, all 1000 for ddpm).") var steps: Int?
    @Option(help: "DDIM's η (0 = deterministic).") var eta: Double?
    @Option(help: "Classifier-free guidance scale (1 = none).") var guidance = 3.0
    @Option(help: "Output size in pixels, a multiple of the model's size (nearest upscaling).") var size: Int?
    // Videos (issue 12).
    @Option(help: "Video frame rate.") var fps = 8
    @Option(help: "Video frames upscaled by this whole factor (nearest).") var upscale = 1

    func validate() throws {
        guard (graph == nil) != (eval == nil) else { throw ValidationError("give exactly one of --graph and --eval") }
        guard guidance >= 0 else { throw ValidationError("--guidance must not be negative") }
        guard eval == nil || size == nil else { throw ValidationError("--eval writes images at the model's size; --size does not apply") }
    }

    func run() throws {
        OpenBLASCore.ensureOptimizedKernels()
        do {
            let settings = SampleSettings(sampler: try SamplerKind(name: sampler, steps: steps, eta: eta), guidance: guidance, seed: seed, size: size)
            // Videos (issue 12): a frame sequence or a .mp4/.gif output; clips in an --eval file.
            if let video = try videoRun(settings: settings) { print(video); return }
            let drawer = try GraphSampler(modelFile: URL(fileURLWithPath: model ?? "weights/shapes32.safetensors"))
            if let graph {
                let files = try ImageRequest(graphFile: URL(fileURLWithPath: graph), count: count, output: URL(fileURLWithPath: out),
                                             settings: settings).run(with: drawer)
                print(files.count == 1 ? files[0].path : "\(files.count - 1) images and grid.png in \(out)")
            } else if let eval {
                print(try SampleEvaluation(graphsFile: URL(fileURLWithPath: eval), output: URL(fileURLWithPath: out), settings: settings).run(with: drawer))
            }
        } catch {
            FileHandle.standardError.write(Data("sample: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The video paths of `sample` (issue 12); nil when the request is for images.
    func videoRun(settings: SampleSettings) throws -> String? {
        let output = URL(fileURLWithPath: out)
        let drawer = { try GraphSampler(modelFile: URL(fileURLWithPath: model ?? GraphSampler.defaultVideoModel)) }
        if let graph, VideoRequest.applies(graphFile: URL(fileURLWithPath: graph), output: output) {
            guard count == 1 else { throw SamplingError("--count \(count): a video is one clip; draw others with other --seed values") }
            let result = try VideoRequest(graphFile: URL(fileURLWithPath: graph), output: output, settings: settings, framesPerSecond: fps,
                                          upscale: upscale).run(with: try drawer())
            FileHandle.standardError.write(Data(String(format: "sample: %d frames sampled in %.2f s, written in %.3f s\n",
                                                       result.frames, result.samplingSeconds, result.writingSeconds).utf8))
            return result.files.count == 1 ? result.files[0].path : "\(result.files.count - 1) frames and strip.png in \(out)"
        }
        if let eval, VideoEvaluation.applies(to: URL(fileURLWithPath: eval)) {
            return try VideoEvaluation(clipsFile: URL(fileURLWithPath: eval), output: output, settings: settings).run(with: try drawer())
        }
        return nil
    }
}
