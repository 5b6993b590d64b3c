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
        """)

    @Option(help: "A scene graph (sg2im JSON).") var graph: String?
    @Option(help: "Graphs to sample and score, one per line (JSONL, as `shapeworld render` writes).") var eval: String?
    @Option(help: "Output: a .png for one image, else a new folder.") var out: String
    @Option(help: "Model file.") var model = "weights/shapes32.safetensors"
    @Option(help: "Images of the graph.") var count = 1
    @Option(help: "Seed of the first image (image k uses seed+k).") var seed: UInt64 = 0
    @Option(help: "Sampler: dpm++2m, ddim or ddpm.") var sampler = "dpm++2m"
    @Option(help: "Sampler steps (default 20 for dpm++2m, 50 for ddim, all 1000 for ddpm).") var steps: Int?
    @Option(help: "DDIM's η (0 = deterministic).") var eta: Double?
    @Option(help: "Classifier-free guidance scale (1 = none).") var guidance = 3.0
    @Option(help: "Output size in pixels, a multiple of the model's size (nearest upscaling).") var size: Int?

    func validate() throws {
        guard (graph == nil) != (eval == nil) else { throw ValidationError("give exactly one of --graph and --eval") }
        guard guidance >= 0 else { throw ValidationError("--guidance must not be negative") }
        guard eval == nil || size == nil else { throw ValidationError("--eval writes images at the model's size; --size does not apply") }
    }

    func run() throws {
        OpenBLASCore.ensureOptimizedKernels()
        do {
            let settings = SampleSettings(sampler: try SamplerKind(name: sampler, steps: steps, eta: eta), guidance: guidance, seed: seed, size: size)
            let drawer = try GraphSampler(modelFile: URL(fileURLWithPath: model))
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
}
