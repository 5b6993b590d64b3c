import Tensors
@testable import Diffusion

/// Data whose every element is an independent Gaussian, x_0[j] ~ N(μ_j, s_j²). Then
/// x_t[j] ~ N(α μ_j, α² s_j² + σ²) and the optimal ε is known in closed form, so a sampler's
/// output can be compared with the exact answer instead of eyeballed.
struct GaussianToy {
    let shape: [Int]
    let mean: [Double]
    let deviation: [Double]
    let schedule = DiffusionSetup(imageSize: 8).noiseSchedule

    /// Per-element means in [−0.4, 0.4] and deviations in `deviations`, from a fixed seed.
    init(shape: [Int], deviations: ClosedRange<Double>, seed: UInt64 = 7) {
        self.shape = shape
        var rng = RandomGenerator(seed: seed)
        let n = shape.reduce(1, *)
        mean = (0..<n).map { _ in -0.4 + 0.8 * rng.nextDouble() }
        deviation = (0..<n).map { _ in deviations.lowerBound + (deviations.upperBound - deviations.lowerBound) * rng.nextDouble() }
    }

    /// One mean and deviation for every element.
    init(shape: [Int], mean: Double, deviation: Double) {
        self.shape = shape
        let n = shape.reduce(1, *)
        self.mean = [Double](repeating: mean, count: n)
        self.deviation = [Double](repeating: deviation, count: n)
    }

    /// The MMSE noise prediction E[ε | x_t] = σ (x_t − α μ)/(α² s² + σ²).
    func epsilon(_ x: Tensor, _ t: Int) -> Tensor {
        let alphaBar = schedule.alphasCumprod[t], alpha = schedule.signal(t), sigma = schedule.noise(t)
        let xs = x.scalars
        return Tensor(shape: x.shape, scalars: xs.indices.map { j in
            let s2 = deviation[j] * deviation[j]
            return Float(sigma * (Double(xs[j]) - alpha * mean[j]) / (alphaBar * s2 + 1 - alphaBar))
        })
    }

    /// Where the probability-flow ODE takes x at timestep t: for a Gaussian it keeps the standardised
    /// value, x_0 = μ + s (x_t − α μ)/√(α² s² + σ²).
    func exactClean(from x: Tensor, at t: Int) -> [Double] {
        let alphaBar = schedule.alphasCumprod[t], alpha = schedule.signal(t)
        let xs = x.scalars
        return xs.indices.map { j in
            let s = deviation[j]
            return mean[j] + s * (Double(xs[j]) - alpha * mean[j]) / (alphaBar * s * s + 1 - alphaBar).squareRoot()
        }
    }

    /// Standard-normal initial noise.
    func initialNoise(seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.normal(shape, using: &rng)
    }

    /// Runs `sampler` from `initial` with the exact ε and per-image generators seeded from `seed`.
    func run(_ sampler: any Sampler, from initial: Tensor, seed: UInt64 = 11) -> Tensor {
        var generators = (0..<shape[0]).map { RandomGenerator(seed: seed &+ UInt64($0)) }
        let imageShape = Array(shape.dropFirst())
        return sampler.sample(initial: initial, schedule: schedule, epsilon: { epsilon($0, $1) },
                              noise: { i in Tensor.normal(imageShape, using: &generators[i]) })
    }

    /// Largest and root-mean-square error of a deterministic sampler against the exact ODE map.
    func odeErrors(_ sampler: any Sampler, seed: UInt64 = 3) -> (max: Double, rms: Double) {
        let z = initialNoise(seed: seed)
        let exact = exactClean(from: z, at: sampler.timesteps(schedule: schedule)[0])
        let out = run(sampler, from: z).scalars
        var largest = 0.0, squares = 0.0
        for (a, b) in zip(out, exact) {
            let e = abs(Double(a) - b)
            largest = max(largest, e); squares += e * e
        }
        return (largest, (squares / Double(out.count)).squareRoot())
    }
}
