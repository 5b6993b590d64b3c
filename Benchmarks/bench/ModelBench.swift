import ArgumentParser
import Diffusion
import Foundation
import GraphEncoder
import NN
import Tensors

/// The work of the PyTorch benchmark of docs/engine.md, timed the same way: one training step
/// (frozen encoder; context projections + UNet trained with AdamW on ε-MSE at 32×32) and UNet
/// evaluations with classifier-free guidance (n conditional + n null-graph images, t = 500).
struct ModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Training step and guided UNet evaluation time.")
    @Option(help: "UNet base channels.") var channels = 32
    @Option(help: "Training batch size.") var batch = 32
    @Option(help: "Timed repetitions (median reported) after one warm-up.") var reps = 5
    @Option(help: "Image size.") var size = 32
    @Flag(help: "Only the guided evaluations (for profiling).") var evalOnly = false
    @Option(help: "Print RSS and its peak to stderr every this many training steps (0 = never), to show memory stays flat.") var rssEvery = 0

    func run() throws {
        if let warning = BLAS.genericCoreWarning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        var config = ModelConfiguration.shapes32
        config.unet.channels = channels
        var rng = RandomGenerator(seed: 0)
        let model = SceneGraphDiffusion(try config.validated(source: "--channels"), rng: &rng)
        model.encoder.setRequiresGrad(false)
        let trained = model.contextLocal.parameters + model.contextGlobal.parameters + model.unet.parameters
        let optimizer = AdamW(parameters: trained, learningRate: 2e-4)
        let graphs = exampleGraphs(batch)
        let x0 = Tensor.normal([batch, 3, size, size], using: &rng)

        var step = 0
        let trainStep = evalOnly ? (wall: 0, cpu: 0) : medianTimes(reps: reps) {
            let encoding = GradMode.disabled { model.encoder(graphs) }
            let context = model.context(from: encoding)
            let t = (0..<batch).map { _ in rng.nextInt(below: 1000) }
            let noise = Tensor.normal(x0.shape, using: &rng)
            let eps = model.unet(x0 + noise, timesteps: t, context: context.tokens, mask: context.mask, global: context.global)
            let loss = mseLoss(eps, noise)
            for p in trained { p.grad = nil }
            loss.backward()
            optimizer.update()
            step += 1
            if rssEvery > 0, step % rssEvery == 0 {
                let m = memoryMiB()
                FileHandle.standardError.write(Data(String(format: "step %d: rss %.0f MiB, peak %.0f MiB\n", step, m.rss, m.peak).utf8))
            }
        }
        let trainPeak = memoryMiB().peak

        var result: [(String, String)] = [
            ("engine", "\"swift\""), ("openblas_core", "\"\(BLAS.coreName)\""), ("threads", "\(ParallelConfig.threadCount)"),
            ("channels", "\(channels)"), ("batch", "\(batch)"), ("unet_parameters", "\(model.unet.parameterCount)"),
            ("train_step_s", String(format: "%.4f", trainStep.wall)), ("train_step_cpu_s", String(format: "%.4f", trainStep.cpu)),
        ]
        for n in [1, 16] {
            let seconds: (wall: Double, cpu: Double) = GradMode.disabled {
                let conditional = model.context(exampleGraphs(n))
                let guided = DiffusionContext.stacked(conditional, model.nullContext(batch: n))
                let xs = Tensor.normal([2 * n, 3, size, size], using: &rng)
                let ts = [Int](repeating: 500, count: 2 * n)
                return medianTimes(reps: reps) {
                    _ = model.unet(xs, timesteps: ts, context: guided.tokens, mask: guided.mask, global: guided.global)
                }
            }
            result.append(("cfg_eval_\(n)_s", String(format: "%.4f", seconds.wall)))
            result.append(("cfg_eval_\(n)_cpu_s", String(format: "%.4f", seconds.cpu)))
        }
        result.append(("peak_rss_mb", String(format: "%.0f", trainPeak)))
        print("{\n" + result.map { " \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}")
    }
}
