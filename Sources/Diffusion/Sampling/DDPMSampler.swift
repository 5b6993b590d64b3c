import Tensors

/// Ancestral DDPM sampling (Ho et al., arXiv 2006.11239): x_{t'} ~ q(x_{t'} | x_t, x̂_0) over all T
/// steps, or over an evenly spaced subset of them.
///
/// A strided chain t → t' is itself a Markov chain with ᾱ_t/ᾱ_{t'} = 1 − β'_t, so its posterior is
/// DDPM's with β' in place of β:
///   mean = √ᾱ_{t'} β'_t/(1 − ᾱ_t) · x̂_0 + √(1 − β'_t) (1 − ᾱ_{t'})/(1 − ᾱ_t) · x_t,
///   variance = (1 − ᾱ_{t'})/(1 − ᾱ_t) · β'_t  (the posterior β̃, "fixed small").
/// Using the single-step β_t with a stride would add far too little noise.
public struct DDPMSampler: Sampler {
    /// Number of steps; nil means every one of the schedule's T timesteps.
    public var steps: Int?
    /// Clamp x̂_0 to [−1, 1] at every step (images live there).
    public var clipDenoised: Bool

    /// Ancestral sampling over `steps` evenly spaced timesteps (all T when nil).
    public init(steps: Int? = nil, clipDenoised: Bool = true) {
        self.steps = steps
        self.clipDenoised = clipDenoised
    }

    public func timesteps(schedule: NoiseSchedule) -> [Int] {
        schedule.evenlySpacedTimesteps(count: steps ?? schedule.steps)
    }

    public func sample(initial: Tensor, schedule: NoiseSchedule, epsilon: (Tensor, Int) throws -> Tensor, noise: (Int) -> Tensor) rethrows -> Tensor {
        let ts = timesteps(schedule: schedule)
        var x = initial
        for (index, t) in ts.enumerated() {
            let alphaBar = schedule.alphasCumprod[t]
            let x0 = predictedCleanImage(x: x, epsilon: try epsilon(x, t), signal: schedule.signal(t), noise: schedule.noise(t),
                                         clip: clipDenoised)
            let nextAlphaBar = nextAlphaCumprod(ts, after: index, schedule: schedule)
            let stepBeta = 1 - alphaBar / nextAlphaBar
            let cleanCoefficient = nextAlphaBar.squareRoot() * stepBeta / (1 - alphaBar)
            let noisyCoefficient = (1 - stepBeta).squareRoot() * (1 - nextAlphaBar) / (1 - alphaBar)
            x = combination(cleanCoefficient, x0, noisyCoefficient, x)
            // Into the clean image the variance is 0: the last step returns the posterior mean, x̂_0.
            let variance = (1 - nextAlphaBar) / (1 - alphaBar) * stepBeta
            addNoise(to: x, scale: variance.squareRoot(), noise: noise)
        }
        return x
    }
}
