import Testing
@testable import Diffusion

/// The ε-loss weights of training: Min-SNR-γ, and the same raised to x̂₀'s on the noisy steps.
@Suite struct LossWeightTests {
    // ᾱ = 0.9, 0.5, 0.1, 0.01 → SNR = 9, 1, 1/9, 1/99.
    let schedule = NoiseSchedule(alphasCumprod: [0.9, 0.5, 0.1, 0.01])

    @Test func minSNRWeightsClipTheCleanSteps() {
        let expected = [5.0 / 9, 1, 1, 1]
        for t in 0..<4 { #expect(abs(schedule.minSNRWeight(t, gamma: 5) - expected[t]) < 1e-12) }
    }

    @Test func x0RaisedWeightsAreOneOverSNRUpToTheCapOnNoisyStepsOnly() {
        // Cap 0: the Min-SNR weights unchanged.
        for t in 0..<4 { #expect(schedule.x0RaisedWeight(t, gamma: 5, x0Maximum: 0) == schedule.minSNRWeight(t, gamma: 5)) }
        // Cap 50: 1/SNR where it exceeds the Min-SNR weight (t = 2, 3), the Min-SNR weight elsewhere.
        let raised = [5.0 / 9, 1, 9, 50]
        for t in 0..<4 { #expect(abs(schedule.x0RaisedWeight(t, gamma: 5, x0Maximum: 50) - raised[t]) < 1e-9) }
        // Cap 200: the noisiest step's full 1/SNR = 99.
        #expect(abs(schedule.x0RaisedWeight(3, gamma: 5, x0Maximum: 200) - 99) < 1e-9)
    }
}
