import ArgumentParser
import Foundation
import Tensors

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Speed and memory benchmarks (release builds only: swift run -c release bench …).",
        subcommands: [GemmBench.self, OpsBench.self, ConvBench.self, ModelBench.self, SampleBench.self, TrainStepBench.self, TemporalLayerBench.self, MediaBench.self, ParallelBench.self],
        defaultSubcommand: ModelBench.self)

    static func main() {
        OpenBLASCore.ensureOptimizedKernels()
        main(nil)
    }
}

/// Prints the OpenBLAS kernel family and the generic-core warning, once, before any figure.
func printEnvironment() {
    if let warning = BLAS.genericCoreWarning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
    print("OpenBLAS core: \(BLAS.coreName), OpenBLAS threads: \(BLAS.threadCount), our threads: \(ParallelConfig.threadCount)\(benchUsesCPUClock ? ", times: process CPU (BENCH_CLOCK=cpu)" : "")")
}
