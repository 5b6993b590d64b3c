import ArgumentParser
import Foundation
import Tensors

/// Forward and backward time of the UNet's heavy ops at the default model's shapes (batch 32,
/// 32×32 and 16×16, 32/64 channels), then peak RSS over repeated forward/backward passes.
struct OpsBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ops", abstract: "Per-op forward/backward time.")
    @Option(help: "Repetitions per op (median reported).") var reps = 5
    @Option(help: "Iterations of the memory-flatness loop.") var iterations = 100

    func run() {
        printEnvironment()
        benchConvolutionOps(reps: reps)
        benchAttentionOps(reps: reps)
        benchMemoryFlatness(iterations: iterations)
    }
}
