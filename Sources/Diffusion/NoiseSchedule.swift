import Foundation
import Tensors

/// The forward process q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) over T discrete steps, computed once
/// in Double. Timestep t = 0 is the least noisy step and t = T − 1 the noisiest, as in DDPM code.
public struct NoiseSchedule: Sendable, Equatable {
    /// ᾱ_t for t = 0..<T.
    public let alphasCumprod: [Double]

    /// Number of training timesteps T.
    public var steps: Int { alphasCumprod.count }

    /// A schedule from its ᾱ_t values (strictly decreasing, in (0, 1)).
    public init(alphasCumprod: [Double]) {
        require(!alphasCumprod.isEmpty, "a noise schedule needs at least one step")
        require(alphasCumprod.allSatisfy { $0 > 0 && $0 < 1 }, "ᾱ_t must lie in (0, 1)")
        self.alphasCumprod = alphasCumprod
    }

    /// Nichol & Dhariwal's cosine schedule (arXiv 2102.09672): ᾱ(t) = f(t)/f(0) with
    /// f(t) = cos²((t/T + s)/(1 + s) · π/2), and β_t = 1 − ᾱ_t/ᾱ_{t−1} clipped at 0.999 — the clip
    /// keeps the last steps from being pure noise with an infinite log-SNR.
    public static func cosine(steps: Int, offset s: Double = 0.008) -> NoiseSchedule {
        require(steps > 0, "a noise schedule needs at least one step")
        func f(_ t: Double) -> Double {
            let c = cos((t / Double(steps) + s) / (1 + s) * Double.pi / 2)
            return c * c
        }
        var product = 1.0
        var values: [Double] = []
        values.reserveCapacity(steps)
        for i in 0..<steps {
            let beta = min(1 - f(Double(i + 1)) / f(Double(i)), 0.999)
            product *= 1 - beta
            values.append(product)
        }
        return NoiseSchedule(alphasCumprod: values)
    }

    /// √ᾱ_t: how much of x_0 is left in x_t.
    public func signal(_ t: Int) -> Double { alphasCumprod[t].squareRoot() }

    /// √(1 − ᾱ_t): the standard deviation of the noise in x_t.
    public func noise(_ t: Int) -> Double { (1 - alphasCumprod[t]).squareRoot() }

    /// Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t).
    public func snr(_ t: Int) -> Double { alphasCumprod[t] / (1 - alphasCumprod[t]) }

    /// Half the log-SNR, λ_t = log(α_t/σ_t), the time variable of DPM-Solver.
    public func lambda(_ t: Int) -> Double { 0.5 * log(snr(t)) }

    /// Min-SNR-γ weight of the ε-prediction loss at t (Hang et al., arXiv 2303.09556):
    /// min(SNR, γ)/SNR, so the nearly clean steps, which are easy, do not dominate training.
    public func minSNRWeight(_ t: Int, gamma: Double = 5) -> Double { min(snr(t), gamma) / snr(t) }

    /// The Min-SNR-γ weight raised to x̂₀'s, 1/SNR, capped at `x0Maximum` (0 = not raised): the
    /// ε loss so weighted is x̂₀'s squared error on the noisy steps, where ε's hides a layout error by α/σ.
    public func x0RaisedWeight(_ t: Int, gamma: Double, x0Maximum: Double) -> Double {
        max(minSNRWeight(t, gamma: gamma), min(1 / snr(t), x0Maximum))
    }
}
