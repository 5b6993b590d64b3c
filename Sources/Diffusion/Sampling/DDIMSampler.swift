import Tensors

/// DDIM (Song et al., arXiv 2010.02502, eq. 12): from x_t to x_{t'} through
///   x_{t'} = √ᾱ_{t'} x̂_0 + √(1 − ᾱ_{t'} − σ²) ε̂ + σ z,  σ = η √((1 − ᾱ_{t'})/(1 − ᾱ_t)) √(1 − ᾱ_t/ᾱ_{t'}).
/// η = 0 is the deterministic probability-flow solver (first order); η = 1 is ancestral DDPM on the
/// strided chain.
public struct DDIMSampler: Sampler {
    public var steps: Int
    /// Stochasticity η in [0, 1]: 0 deterministic, 1 as much noise as DDPM.
    public var eta: Double
    /// Clamp x̂_0 to [−1, 1] at every step (images live there).
    public var clipDenoised: Bool

    /// DDIM over `steps` evenly spaced timesteps with stochasticity `eta`.
    public init(steps: Int, eta: Double = 0, clipDenoised: Bool = true) {
        require(steps >= 1, "DDIM needs at least one step")
        require(eta >= 0 && eta <= 1, "DDIM's η lies in [0, 1], not \(eta)")
        self.steps = steps
        self.eta = eta
        self.clipDenoised = clipDenoised
    }

    public func timesteps(schedule: NoiseSchedule) -> [Int] { schedule.evenlySpacedTimesteps(count: steps) }

    public func sample(initial: Tensor, schedule: NoiseSchedule, epsilon: (Tensor, Int) throws -> Tensor, noise: (Int) -> Tensor) rethrows -> Tensor {
        let ts = timesteps(schedule: schedule)
        var x = initial
        for (index, t) in ts.enumerated() {
            let alphaBar = schedule.alphasCumprod[t], alpha = schedule.signal(t), sigma = schedule.noise(t)
            let x0 = predictedCleanImage(x: x, epsilon: try epsilon(x, t), signal: alpha, noise: sigma, clip: clipDenoised)
            let nextAlphaBar = nextAlphaCumprod(ts, after: index, schedule: schedule)
            let stochastic = eta * ((1 - nextAlphaBar) / (1 - alphaBar) * (1 - alphaBar / nextAlphaBar)).squareRoot()
            // ε̂ is taken back from the (possibly clipped) x̂_0, ε̂ = (x_t − α_t x̂_0)/σ_t, so x_t = α_t x̂_0 + σ_t ε̂
            // holds exactly and the update stays a move along that pair: substituted, the step is
            //   x_{t'} = (√ᾱ_{t'} − d·α_t/σ_t) x̂_0 + (d/σ_t) x_t  with d = √(1 − ᾱ_{t'} − σ²).
            let direction = max(1 - nextAlphaBar - stochastic * stochastic, 0).squareRoot()
            x = combination(nextAlphaBar.squareRoot() - direction * alpha / sigma, x0, direction / sigma, x)
            addNoise(to: x, scale: stochastic, noise: noise)
        }
        return x
    }
}
