import ArgumentParser
import Diffusion
import Foundation
import GraphEncoder
import Media
import NN
import Tensors

/// End-to-end sampling time per image: graph encoding, a guided UNet loop of `steps` steps
/// (2·n UNet images per step: conditional and null graph in one batch), conversion to PNG.
/// Until the samplers land the update is deterministic DDIM; the UNet dominates either way.
struct SampleBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample", abstract: "Seconds per sampled image, graph to PNG bytes.")
    @Option(help: "UNet base channels.") var channels = 32
    @Option(help: "Sampling steps.") var steps = 20
    @Option(help: "Guidance scale.") var guidance: Float = 3
    @Option(help: "Timed repetitions (median reported) after one warm-up.") var reps = 3
    @Option(help: "Image size.") var size = 32

    func run() throws {
        var config = ModelConfiguration.shapes32
        config.unet.channels = channels
        var rng = RandomGenerator(seed: 0)
        let model = SceneGraphDiffusion(try config.validated(source: "--channels"), rng: &rng)
        let schedule = NoiseSchedule.cosine()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-sample-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var result: [(String, String)] = [("engine", "\"swift\""), ("openblas_core", "\"\(BLAS.coreName)\""),
                                          ("threads", "\(ParallelConfig.threadCount)"), ("steps", "\(steps)")]
        for n in [1, 16] {
            var bytes = 0
            let seconds = try medianSecondsThrowing(reps: reps) {
                bytes = try GradMode.disabled {
                    let images = guidedLoop(model, schedule: schedule, graphs: exampleGraphs(n), rng: &rng)
                    return try writePNGs(images, to: folder)
                }
            }
            result.append(("sample_\(n)_s_per_image", String(format: "%.4f", seconds / Double(n))))
            result.append(("sample_\(n)_png_bytes", "\(bytes)"))
        }
        print("{\n" + result.map { " \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}")
    }

    /// x_T ~ N(0, I), then per step ε = ε_null + w·(ε_cond − ε_null) and a DDIM (η = 0) update.
    func guidedLoop(_ model: SceneGraphDiffusion, schedule: NoiseSchedule, graphs: GraphBatch, rng: inout RandomGenerator) -> Tensor {
        let n = graphs.imageCount
        let guided = DiffusionContext.stacked(model.context(graphs), model.nullContext(batch: n))
        var x = Tensor.normal([n, 3, size, size], using: &rng)
        let times = (0..<steps).map { (schedule.steps - 1) * (steps - 1 - $0) / max(steps - 1, 1) }
        for (i, t) in times.enumerated() {
            let eps = model.unet(concat([x, x], axis: 0), timesteps: [Int](repeating: t, count: 2 * n),
                                 context: guided.tokens, mask: guided.mask, global: guided.global)
            let halves = eps.chunk(2, axis: 0)
            let e = halves[1] + guidance * (halves[0] - halves[1])
            let a = Float(schedule.alphasCumprod[t]), aPrev = i + 1 < steps ? Float(schedule.alphasCumprod[times[i + 1]]) : 1
            let x0 = (x - (1 - a).squareRoot() * e) * (1 / a.squareRoot())
            x = aPrev.squareRoot() * x0 + (1 - aPrev).squareRoot() * e
        }
        return x
    }

    /// Writes each image as a PNG and returns the total file size.
    func writePNGs(_ images: Tensor, to folder: URL) throws -> Int {
        var total = 0
        for b in 0..<images.shape[0] {
            let url = folder.appendingPathComponent("\(b).png")
            try PNGCodec.write(ByteImage(tensor: images.slice(axis: 0, b..<(b + 1)).reshaped(Array(images.shape.dropFirst()))), to: url)
            total += (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        }
        return total
    }
}
