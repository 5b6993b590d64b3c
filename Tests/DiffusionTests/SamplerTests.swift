import Foundation
import Testing
import Tensors
@testable import Diffusion

@Suite struct SamplerTests {
    /// Deviations like those of pixels in [−1, 1]; all samplers run with clipping off, since a
    /// Gaussian's tails leave [−1, 1] and the exact map must be followed there too.
    let toy = GaussianToy(shape: [4, 1, 32, 32], deviations: 0.3...0.6)

    // MARK: Timesteps

    @Test(arguments: [1, 7, 20, 30, 50, 999, 1000])
    func timestepsAreEvenNoisiestFirstAndDistinct(steps: Int) {
        let schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        let samplers: [any Sampler] = [DDPMSampler(steps: steps), DDIMSampler(steps: steps), DPMSolverPlusPlus2MSampler(steps: steps)]
        for sampler in samplers {
            let ts = sampler.timesteps(schedule: schedule)
            #expect(ts.count == steps)
            #expect(ts.first == 999, "trailing spacing starts at the noisiest step")
            #expect(ts.allSatisfy { (0..<1000).contains($0) })
            #expect(zip(ts, ts.dropFirst()).allSatisfy { $0 > $1 }, "strictly decreasing, hence no duplicates")
            #expect(Set(ts).count == ts.count)
            let gaps = zip(ts, ts.dropFirst()).map { $0 - $1 }
            let ideal = 1000 / Double(steps)
            #expect(gaps.allSatisfy { abs(Double($0) - ideal) < 1 }, "gaps \(Set(gaps)) for \(steps) steps")
        }
    }

    @Test func timestepValuesForTheUsualSettings() {
        let schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        #expect(DPMSolverPlusPlus2MSampler(steps: 20).timesteps(schedule: schedule) == Array(stride(from: 999, through: 49, by: -50)))
        #expect(DDPMSampler().timesteps(schedule: schedule) == Array((0..<1000).reversed()))
        #expect(DDIMSampler(steps: 4).timesteps(schedule: schedule) == [999, 749, 499, 249])
    }

    // MARK: Deterministic solvers against the exact probability-flow map of a Gaussian

    @Test func dpmSolverPlusPlusFollowsTheExactMap() {
        let twenty = toy.odeErrors(DPMSolverPlusPlus2MSampler(steps: 20, clipDenoised: false))
        let ten = toy.odeErrors(DPMSolverPlusPlus2MSampler(steps: 10, clipDenoised: false))
        let fifty = toy.odeErrors(DPMSolverPlusPlus2MSampler(steps: 50, clipDenoised: false))
        print("DPM-Solver++(2M) Gaussian toy: 10 steps max \(ten.max) rms \(ten.rms); 20 steps max \(twenty.max) rms \(twenty.rms); 50 steps max \(fifty.max) rms \(fifty.rms)")
        #expect(twenty.max < 0.04 && twenty.rms < 0.006)
        #expect(fifty.max < 0.006 && fifty.rms < 0.0012)
        // Second order: halving the step more than halves the error (first order would only halve it).
        #expect(ten.rms / twenty.rms > 4, "10 → 20 steps: rms \(ten.rms) → \(twenty.rms)")
    }

    @Test func ddimFollowsTheExactMapToFirstOrder() {
        let fifty = toy.odeErrors(DDIMSampler(steps: 50, eta: 0, clipDenoised: false))
        let hundred = toy.odeErrors(DDIMSampler(steps: 100, eta: 0, clipDenoised: false))
        let twenty = toy.odeErrors(DDIMSampler(steps: 20, eta: 0, clipDenoised: false))
        print("DDIM (η=0) Gaussian toy: 20 steps max \(twenty.max) rms \(twenty.rms); 50 steps max \(fifty.max) rms \(fifty.rms); 100 steps max \(hundred.max) rms \(hundred.rms)")
        #expect(fifty.max < 0.08 && fifty.rms < 0.02)
        #expect(hundred.max < 0.04 && hundred.rms < 0.01)
        // First order: twice the steps, about half the error.
        #expect((1.7...2.3).contains(fifty.rms / hundred.rms), "50 → 100 steps: rms \(fifty.rms) → \(hundred.rms)")
    }

    @Test func deterministicSolversDrawNoNoise() {
        var draws = 0
        let z = toy.initialNoise(seed: 1)
        for sampler in [DDIMSampler(steps: 5, eta: 0), DPMSolverPlusPlus2MSampler(steps: 5)] as [any Sampler] {
            _ = sampler.sample(initial: z, schedule: toy.schedule, epsilon: { toy.epsilon($0, $1) },
                               noise: { _ in draws += 1; return Tensor.zeros([1, 32, 32]) })
        }
        #expect(draws == 0)
    }

    // MARK: Stochastic samplers: the distribution, not a path

    @Test func ddpmOverAllStepsDrawsTheDataDistribution() {
        let data = GaussianToy(shape: [8, 1, 32, 32], mean: 0.3, deviation: 0.4)
        var draws = 0
        var generators = (0..<8).map { RandomGenerator(seed: 100 + UInt64($0)) }
        let out = DDPMSampler(clipDenoised: false).sample(
            initial: data.initialNoise(seed: 5), schedule: data.schedule, epsilon: { data.epsilon($0, $1) },
            noise: { i in draws += 1; return Tensor.normal([1, 32, 32], using: &generators[i]) }).scalars
        let (mean, deviation) = meanAndDeviation(out)
        print("DDPM-1000 Gaussian toy (μ 0.3, s 0.4, \(out.count) elements): mean \(mean) std \(deviation)")
        // 4σ of the estimators with n = 8192: mean ±0.018, std ±0.013 (relative 3%).
        #expect(abs(mean - 0.3) < 4 * 0.4 / Double(out.count).squareRoot())
        #expect(abs(deviation / 0.4 - 1) < 0.04)
        #expect(draws == 8 * 999, "one draw per image per step, none into the clean image")
    }

    @Test func stridedDDPMKeepsTheSpread() {
        // With the single-step β_t instead of the strided chain's β', 100 steps would add about a
        // tenth of the noise and the spread would collapse.
        let data = GaussianToy(shape: [8, 1, 32, 32], mean: -0.2, deviation: 0.4)
        let out = data.run(DDPMSampler(steps: 100, clipDenoised: false), from: data.initialNoise(seed: 6)).scalars
        let (mean, deviation) = meanAndDeviation(out)
        print("DDPM-100 Gaussian toy (μ −0.2, s 0.4): mean \(mean) std \(deviation)")
        #expect(abs(mean + 0.2) < 0.02)
        #expect(abs(deviation / 0.4 - 1) < 0.08)
    }

    @Test func ddimWithEtaOneIsTheStridedDDPMChain() {
        let z = toy.initialNoise(seed: 9)
        let ddpm = toy.run(DDPMSampler(steps: 25, clipDenoised: false), from: z, seed: 40).scalars
        let ddim = toy.run(DDIMSampler(steps: 25, eta: 1, clipDenoised: false), from: z, seed: 40).scalars
        let worst = zip(ddpm, ddim).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-4, "same noise, two derivations of one posterior: worst difference \(worst)")
        let deterministic = toy.run(DDIMSampler(steps: 25, eta: 0, clipDenoised: false), from: z).scalars
        #expect(zip(ddim, deterministic).map { abs($0 - $1) }.max() ?? 0 > 0.1, "η = 1 does add noise")
    }

    // MARK: Clipping

    @Test func clippingKeepsPredictionsInTheImageRange() {
        // Data far outside [−1, 1]: unclipped samplers go there, clipped ones stop at the bound.
        let outside = GaussianToy(shape: [2, 1, 8, 8], mean: 2.5, deviation: 0.1)
        let z = outside.initialNoise(seed: 2)
        for steps in [5, 20] {
            for (clipped, free) in [(DDIMSampler(steps: steps) as any Sampler, DDIMSampler(steps: steps, clipDenoised: false) as any Sampler),
                                    (DPMSolverPlusPlus2MSampler(steps: steps), DPMSolverPlusPlus2MSampler(steps: steps, clipDenoised: false)),
                                    (DDPMSampler(steps: steps), DDPMSampler(steps: steps, clipDenoised: false))] {
                #expect(outside.run(clipped, from: z).scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
                #expect(outside.run(free, from: z).scalars.allSatisfy { $0 > 1.5 })
            }
        }
    }

    // MARK: Choosing a sampler by name

    @Test func samplerKindParsesNamesStepsAndEta() throws {
        #expect(try SamplerKind(name: "dpm++2m") == .dpmSolverPlusPlus2M(steps: 20))
        #expect(try SamplerKind(name: "DDIM", steps: 20, eta: 0.5) == .ddim(steps: 20, eta: 0.5))
        #expect(try SamplerKind(name: "ddim") == .ddim(steps: 50, eta: 0))
        #expect(try SamplerKind(name: "ddpm") == .ddpm(steps: nil))
        #expect(try SamplerKind(name: "ddpm", steps: 100) == .ddpm(steps: 100))
        let made = try SamplerKind(name: "dpm++2m", steps: 10).makeSampler()
        #expect((made as? DPMSolverPlusPlus2MSampler)?.steps == 10 && (made as? DPMSolverPlusPlus2MSampler)?.clipDenoised == true)
        #expect(try SamplerKind(name: "ddim", steps: 7, eta: 1).makeSampler().timesteps(schedule: DiffusionSetup(imageSize: 8).noiseSchedule).count == 7)
    }

    @Test func samplerKindRejectsWhatItCannotRun() {
        func message(_ body: () throws -> SamplerKind) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { try SamplerKind(name: "euler") } == "unknown sampler \"euler\": expected one of ddpm, ddim, dpm++2m")
        #expect(message { try SamplerKind(name: "ddim", steps: 0) }.contains("1…100000"))
        #expect(message { try SamplerKind(name: "dpm++2m", steps: 1001, trainingSteps: 1000) }
                == "--steps must lie in 1…1000 (the model's training timesteps), got 1001")
        #expect(message { try SamplerKind(name: "ddim", eta: 1.5) }.contains("[0, 1]"))
        #expect(message { try SamplerKind(name: "ddpm", eta: 0.5) }.contains("ddim sampler only"))
    }
}

/// Mean and population standard deviation, in Double.
func meanAndDeviation(_ values: [Float]) -> (mean: Double, deviation: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance.squareRoot())
}
