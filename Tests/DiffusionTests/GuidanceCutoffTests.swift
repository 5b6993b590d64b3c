import GraphEncoder
import Testing
import Tensors
@testable import Diffusion

/// Guidance limited to the noisier timesteps (`ClassifierFreeGuidance.cutoff`).
@Suite struct GuidanceCutoffTests {
    @Test func stepsAtOrAboveTheCutoffAreGuided() {
        let cfg = ClassifierFreeGuidance(scale: 5, relationScale: 2, cutoff: 0.4)
        #expect(cfg.guides(999, of: 1000) && cfg.guides(400, of: 1000))
        #expect(!cfg.guides(399, of: 1000) && !cfg.guides(0, of: 1000))
        #expect(ClassifierFreeGuidance(scale: 5).guides(0, of: 1000))
        // Nothing to guide with at g = 1 and r = 0: every step is the conditional model's.
        #expect(!ClassifierFreeGuidance(scale: 1, cutoff: 0).guides(999, of: 1000))
        #expect(!ClassifierFreeGuidance(scale: 5, cutoff: 1).guides(999, of: 1000))
    }

    /// Below the cutoff the denoiser gets x alone and is told so; at or above it, the stacked copies.
    @Test func belowTheCutoffTheDenoiserGetsTheConditionalRowsAlone() {
        let cfg = ClassifierFreeGuidance(scale: 3, relationScale: 2, cutoff: 0.5)
        let x = Tensor(shape: [2, 1], scalars: [1, 2])
        var calls: [(rows: Int, stacked: Bool)] = []
        // Conditional rows answer x, every other row 0: guided ε = 0 + 3·x + 2·x = 5x; unguided ε = x.
        func fake(_ input: Tensor, _ stacked: Bool) -> Tensor {
            calls.append((input.shape[0], stacked))
            return Tensor(shape: input.shape, scalars: input.scalars.enumerated().map { $0.offset < 2 ? $0.element : 0 })
        }
        #expect(cfg.epsilon(x, at: 499, of: 1000, denoise: fake).scalars == [1, 2])
        #expect(cfg.epsilon(x, at: 500, of: 1000, denoise: fake).scalars == [5, 10])
        #expect(calls.map(\.rows) == [2, 6] && calls.map(\.stacked) == [false, true])
    }

    /// DDIM with 2 steps visits t = 999 and 499 of T = 1000: a cutoff decides each step by t ≥ cutoff·T.
    @Test func theCutoffSwitchesGuidanceOffExactlyBelowIt() throws {
        var rng = RandomGenerator(seed: 4)
        let model = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 0), rng: &rng)
        let graphs = GraphBatch(objects: [1, 2, 0], triples: [0, 1, 1, 0, 0, 2, 1, 0, 2], objectToImage: [0, 0, 0], tripleToImage: [0, 0, 0], imageCount: 1)
        let schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        #expect(schedule.steps == 1000 && DDIMSampler(steps: 2).timesteps(schedule: schedule) == [999, 499])
        func draw(_ cfg: ClassifierFreeGuidance, _ batching: SampleBatching = .perImage) throws -> [Float] {
            try model.sample(graphs: graphs, seeds: [1], sampler: DDIMSampler(steps: 2), guidance: cfg, schedule: schedule, imageSize: 8,
                             batching: batching).scalars
        }
        for batching in [SampleBatching.perImage, .wholeBatch] {
            let everywhere = try draw(ClassifierFreeGuidance(scale: 4, relationScale: 2), batching)
            let nowhere = try draw(ClassifierFreeGuidance(scale: 1), batching)
            // 0.499·1000 ≤ 499: both steps guided. 0.5: the second unguided. 1: neither.
            #expect(try draw(ClassifierFreeGuidance(scale: 4, relationScale: 2, cutoff: 0.499), batching) == everywhere)
            let firstOnly = try draw(ClassifierFreeGuidance(scale: 4, relationScale: 2, cutoff: 0.5), batching)
            #expect(try draw(ClassifierFreeGuidance(scale: 4, relationScale: 2, cutoff: 0.9), batching) == firstOnly)
            #expect(try draw(ClassifierFreeGuidance(scale: 4, relationScale: 2, cutoff: 1), batching) == nowhere)
            let fromEverywhere = zip(firstOnly, everywhere).map { abs($0 - $1) }.max()!
            let fromNowhere = zip(firstOnly, nowhere).map { abs($0 - $1) }.max()!
            #expect(fromEverywhere > 1e-3 && fromNowhere > 1e-3, "differences \(fromEverywhere), \(fromNowhere)")
        }
    }

    @Test func clipsObeyTheCutoffToo() throws {
        var rng = RandomGenerator(seed: 5)
        let model = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 4), rng: &rng)
        let graphs = try TemporalTransformerTests.frameGraphs(6)
        let schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        func draw(_ cfg: ClassifierFreeGuidance) throws -> [Float] {
            try model.sampleClip(frames: graphs, seed: 2, sampler: DDIMSampler(steps: 2), guidance: cfg, schedule: schedule, imageSize: 8).scalars
        }
        let nowhere = try draw(ClassifierFreeGuidance(scale: 1))
        #expect(try draw(ClassifierFreeGuidance(scale: 3, cutoff: 1)) == nowhere)
        let firstOnly = try draw(ClassifierFreeGuidance(scale: 3, cutoff: 0.5))
        let everywhere = try draw(ClassifierFreeGuidance(scale: 3))
        #expect(zip(firstOnly, nowhere).map { abs($0 - $1) }.max()! > 1e-3)
        #expect(zip(firstOnly, everywhere).map { abs($0 - $1) }.max()! > 1e-3)
    }
}
