import ArgumentParser
import Foundation
import Tensors

/// GFLOP/s of the GEMM path at 1024³ and at the default UNet's convolution shapes (im2col GEMMs).
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GEMM throughput.")
    @Option(help: "Repetitions per shape (median reported).") var reps = 5

    func run() {
        printEnvironment()
        var rng = RandomGenerator(seed: 1)
        // (name, m, n, k): conv rows are [Cout, Cin·9] × [Cin·9, H·W] for one image of the
        // batch-32 UNet at 32 channels, mult [1,2,2].
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("square 1024x1024x1024", 1024, 1024, 1024, false, false),
            ("conv 32->32 3x3 @32x32 (per image, 1 thread)", 32, 1024, 288, false, false),
            ("conv 32->64 3x3 @16x16 (per image, 1 thread)", 64, 256, 288, false, false),
            ("conv 64->64 3x3 @16x16 (per image, 1 thread)", 64, 256, 576, false, false),
            ("conv 64->64 3x3 @8x8 (per image, 1 thread)", 64, 64, 576, false, false),
            ("conv 32->32 3x3 @32x32 (whole batch 32)", 32, 32 * 1024, 288, false, false),
            ("conv 64->64 3x3 @16x16 (whole batch 32)", 64, 32 * 256, 576, false, false),
            ("conv 32->32 @32x32 dW = g·colT (per image, 1 thread)", 32, 288, 1024, false, true),
            ("conv 32->32 @32x32 dcol = WT·g (per image, 1 thread)", 288, 1024, 32, true, false),
            ("attention N=256 dh=16 S = Q·KT (per head, 1 thread)", 256, 256, 16, false, true),
            ("attention N=256 dh=16 O = P·V (per head, 1 thread)", 256, 16, 256, false, false),
        ]
        // Per-image conv GEMMs run one per core inside conv2d, so they are timed on one thread;
        // the others go through parallelGemm, the path linear layers and big products take.
        for (name, m, n, k, ta, tb) in shapes {
            let a = Tensor.normal([m, k], using: &rng), b = Tensor.normal([k, n], using: &rng)
            let c = Tensor.zeros([m, n])
            let perImage = name.contains("per image")
            let s = medianSeconds(reps: reps) {
                if perImage {
                    BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.storage.pointer, b: b.storage.pointer, c: c.storage.pointer)
                } else {
                    BLAS.parallelGemm(m: m, n: n, k: k, a: a.storage.pointer, b: b.storage.pointer, c: c.storage.pointer)
                }
            }
            print("\(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", 2.0 * Double(m * n * k) / s / 1e9)) GFLOP/s  (\(String(format: "%.3f", s * 1000)) ms)")
        }
    }
}
