import ArgumentParser
import Foundation
import Tensors

/// What a `parallelChunks` hand-off costs: an empty split, then a short kernel over n floats
/// run on the calling thread alone and split over the workers. Wall clock (the point is how
/// soon the other workers start); run it on a quiet machine.
struct ParallelBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parallel", abstract: "Thread hand-off cost of parallelChunks.")
    @Option(help: "Calls per measurement.") var calls = 2000
    @Option(help: "Repetitions (median reported).") var reps = 7

    func run() {
        printEnvironment()
        let threads = ParallelConfig.threadCount
        let empty = medianWall(reps: reps) { for _ in 0..<calls { parallelChunks(threads) { _ in } } } / Double(calls)
        print(String(format: "empty split over %d workers: %.2f µs per call", threads, empty * 1e6))
        let largest = 1 << 20
        var rng = RandomGenerator(seed: 3)
        let src = Tensor.normal([largest], using: &rng), dst = Tensor.zeros([largest])
        let sp = src.storage.pointer, dp = dst.storage.pointer
        withExtendedLifetime((src, dst)) {
            for n in [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20] {
                let count = max(1, calls * 1024 / n)
                let serial = medianWall(reps: reps) { for _ in 0..<count { scaleShiftKernel(sp, dp, 0..<n) } } / Double(count)
                let split = medianWall(reps: reps) {
                    for _ in 0..<count { parallelChunks(n) { r in scaleShiftKernel(sp, dp, r) } }
                } / Double(count)
                print(String(format: "16 multiply-adds on %8d floats: one thread %8.2f µs, split %8.2f µs (speed-up %.2f)",
                             n, serial * 1e6, split * 1e6, serial / split))
            }
        }
    }
}

/// A short compute-bound kernel (16 dependent multiply-adds per float, so two cores do not
/// just share one memory bus), out of line so both timings run the same code.
@inline(never)
private func scaleShiftKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    for i in range {
        var v = x[i]
        for _ in 0..<16 { v = v * 0.999 + 0.001 }
        y[i] = v
    }
}

private func medianWall(reps: Int, _ body: () -> Void) -> Double {
    medianTimes(reps: reps, body).wall
}
