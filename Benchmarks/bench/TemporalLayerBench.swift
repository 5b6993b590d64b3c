import ArgumentParser
import Diffusion
import Tensors

/// One temporal layer, forward and backward (weights trained, as in clip training), at each level
/// of the default video model: 4 clips × 8 frames at 32×32 (32 channels), 16×16 and 8×8 (64).
/// The 32×32 layers are what lifts a clip step over an image step (docs/video.md).
struct TemporalLayerBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "temporal", abstract: "Temporal layer forward/backward time per level.")
    @Option(help: "Repetitions (median reported).") var reps = 9

    func run() {
        printEnvironment()
        var rng = RandomGenerator(seed: 6)
        for (side, channels) in [(32, 32), (16, 64), (8, 64)] {
            let layer = TemporalTransformer(channels: channels, heads: 4, normGroups: 8, maximumFrames: 8, rng: &rng)
            // proj_out starts at zero; a trained layer's is not, and its gradient flows into the block.
            for p in layer.projOut.parameters { p.storage.pointer.update(repeating: 0.01, count: p.count) }
            let x = Tensor.normal([32, channels, side, side], using: &rng)
            x.requiresGrad = true
            timeForwardBackward("temporal layer \(side)×\(side) C=\(channels) 4 clips × 8 frames", reps: reps) { layer(x, frames: 8) }
        }
    }
}
