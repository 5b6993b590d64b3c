import ArgumentParser
import Tensors

/// conv2d and group norm forward/backward at the default UNet's shapes (batch 32).
func benchConvolutionOps(reps: Int) {
    var rng = RandomGenerator(seed: 3)
    // (label, cin, cout, size, kernel, stride, padding)
    let convs: [(String, Int, Int, Int, Int, Int, Int)] = [
        ("conv2d 3x3 32->32 @32x32", 32, 32, 32, 3, 1, 1),
        ("conv2d 3x3 32->64 @16x16", 32, 64, 16, 3, 1, 1),
        ("conv2d 3x3 64->64 @16x16", 64, 64, 16, 3, 1, 1),
        ("conv2d 3x3 64->64 @8x8", 64, 64, 8, 3, 1, 1),
        ("conv2d 3x3 s2 32->32 @32x32 (downsample)", 32, 32, 32, 3, 2, 1),
        ("conv2d 1x1 64->64 @16x16", 64, 64, 16, 1, 1, 0),
    ]
    for (label, cin, cout, size, k, s, p) in convs {
        let x = Tensor.normal([32, cin, size, size], using: &rng)
        let w = Tensor.normal([cout, cin, k, k], std: 0.05, using: &rng), b = Tensor.zeros([cout])
        x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
        timeForwardBackward(label, reps: reps) { conv2d(x, weight: w, bias: b, stride: s, padding: p) }
    }
    for (c, size) in [(32, 32), (64, 16)] {
        let x = Tensor.normal([32, c, size, size], using: &rng), w = Tensor.ones([c]), b = Tensor.zeros([c])
        x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
        timeForwardBackward("group norm 32 groups [32,\(c),\(size),\(size)]", reps: reps) { groupNorm(x, groups: 32, weight: w, bias: b) }
    }
}

/// Times `op` without recording, then forward + backward, and prints both (backward = difference).
func timeForwardBackward(_ label: String, reps: Int, _ op: () -> Tensor) {
    let forward = medianSeconds(reps: reps) { _ = GradMode.disabled { op() } }
    var seed: Tensor? = nil
    let both = medianSeconds(reps: reps) {
        let y = op()
        if seed == nil { seed = Tensor.ones(y.shape) }
        y.backward(seed)
    }
    printRow(label, forward: forward, backward: max(both - forward, 0))
}

/// Peak RSS over repeated forward/backward passes of conv → group norm → conv at batch 32: it
/// must stop growing after the first iterations (buffers come back from the pool).
func benchMemoryFlatness(iterations: Int) {
    var rng = RandomGenerator(seed: 4)
    let x = Tensor.normal([32, 32, 32, 32], using: &rng)
    let w1 = Tensor.normal([32, 32, 3, 3], std: 0.05, using: &rng), w2 = Tensor.normal([32, 32, 3, 3], std: 0.05, using: &rng)
    let gw = Tensor.ones([32]), gb = Tensor.zeros([32])
    for p in [w1, w2, gw, gb] { p.requiresGrad = true }
    let start = memoryMiB()
    print("memory: start rss \(Int(start.rss)) MiB, peak \(Int(start.peak)) MiB")
    var afterTen = start.peak
    for i in 1...iterations {
        let y = conv2d(silu(groupNorm(conv2d(x, weight: w1, bias: nil, padding: 1), groups: 32, weight: gw, bias: gb)), weight: w2, bias: nil, padding: 1)
        y.sum().backward()
        for p in [w1, w2, gw, gb] { p.grad = nil }
        if i == 10 { afterTen = memoryMiB().peak; print("memory: after 10 iterations rss \(Int(memoryMiB().rss)) MiB, peak \(Int(afterTen)) MiB") }
    }
    let end = memoryMiB()
    print("memory: after \(iterations) iterations rss \(Int(end.rss)) MiB, peak \(Int(end.peak)) MiB (growth since iteration 10: \(Int(end.peak - afterTen)) MiB)")
}

/// The UNet's 3×3 stride-1 convolutions (batch 32 unless `batch` says otherwise) through im2col +
/// OpenBLAS and through Winograd F(2×2, 3×3), alternating, forward without recording and
/// forward + backward (input and weight gradients).
func benchConvolutionAlgorithms(reps: Int, batch: Int, shape filter: String?, forwardOnly: Bool) {
    var rng = RandomGenerator(seed: 5)
    // (cin, cout, size): every 3×3 stride-1 shape of the default UNet (channels 32, mult [1,2,2]).
    let shapes = [(3, 32, 32), (32, 32, 32), (64, 32, 32), (96, 32, 32), (64, 64, 32),
                  (32, 64, 16), (64, 64, 16), (96, 64, 16), (128, 64, 16), (64, 64, 8), (128, 64, 8)]
    for (cin, cout, size) in shapes where filter == nil || filter == "\(cin)->\(cout)@\(size)" {
        let x = Tensor.normal([batch, cin, size, size], using: &rng)
        let w = Tensor.normal([cout, cin, 3, 3], std: 0.05, using: &rng), b = Tensor.zeros([cout])
        x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
        let (reference, fast) = GradMode.disabled {
            (conv2d(x, weight: w, bias: b, padding: 1, algorithm: .im2col), conv2d(x, weight: w, bias: b, padding: 1, algorithm: .winograd))
        }
        let difference = zip(reference.scalars, fast.scalars).map { abs($0 - $1) }.max() ?? 0
        print("3x3 \(cin)->\(cout) @\(size): max |winograd − im2col| = \(difference)")
        for algorithm in [Conv2dAlgorithm.im2col, .winograd] {
            if forwardOnly {
                let label = "3x3 \(cin)->\(cout) @\(size) b\(batch) \(algorithm)"
                printRow(label, forward: medianSeconds(reps: reps) { _ = GradMode.disabled { conv2d(x, weight: w, bias: b, padding: 1, algorithm: algorithm) } })
                continue
            }
            timeForwardBackward("3x3 \(cin)->\(cout) @\(size) b\(batch) \(algorithm)", reps: reps) {
                conv2d(x, weight: w, bias: b, padding: 1, algorithm: algorithm)
            }
        }
    }
}

/// `bench conv`: the convolution algorithms side by side.
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conv", abstract: "3x3 convolutions: im2col vs Winograd.")
    @Option(help: "Repetitions per op (median reported).") var reps = 5
    @Option(help: "Images per batch.") var batch = 32
    @Option(help: "Only this shape, e.g. 32->32@32.") var shape: String? = nil
    @Flag(help: "Forward passes only.") var forwardOnly = false

    func run() {
        printEnvironment()
        benchConvolutionAlgorithms(reps: reps, batch: batch, shape: shape, forwardOnly: forwardOnly)
    }
}
