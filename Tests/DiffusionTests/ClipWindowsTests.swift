import Foundation
import GraphEncoder
import NN
import Testing
import Tensors
@testable import Diffusion

@Suite struct ClipWindowsTests {
    @Test func windowsOverlapByHalfAndTheLastEndsAtTheClipsEnd() {
        #expect(ClipWindows(frames: 24, window: 8).starts == [0, 4, 8, 12, 16])
        #expect(ClipWindows(frames: 10, window: 8).starts == [0, 2])
        #expect(ClipWindows(frames: 8, window: 8).starts == [0])
        #expect(ClipWindows(frames: 5, window: 8).starts == [0])
        #expect(ClipWindows(frames: 5, window: 8).window == 5)
        #expect(ClipWindows(frames: 9, window: 1).starts == Array(0..<9))
        #expect(ClipWindows(frames: 10, window: 8).rows == [0, 1, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    @Test func meanAveragesEachFrameOverTheWindowsHoldingIt() {
        // 6 frames in windows of 4 at 0 and 2: frames 2 and 3 are in both.
        let w = ClipWindows(frames: 6, window: 4)
        #expect(w.starts == [0, 2])
        // Row r of the windows holds the value 10·(window) + frame, one float per frame.
        let values: [Float] = [0, 1, 2, 3, 12, 13, 14, 15]
        let mean = w.mean(Tensor(shape: [8, 1], scalars: values))
        #expect(mean.scalars == [0, 1, 7, 8, 14, 15])
        let x = Tensor(shape: [6, 2], scalars: (0..<12).map(Float.init))
        #expect(w.gather(x).scalars == [0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11])
    }

    @Test func frameNoiseIsPlainNoiseAtZeroAndCorrelatedAsAsked() {
        var a = RandomGenerator(seed: 4), b = RandomGenerator(seed: 4)
        #expect(FrameNoise(correlation: 0).draw([6, 3, 4, 4], frames: 3, using: &a).scalars == Tensor.normal([6, 3, 4, 4], using: &b).scalars)
        // Two clips of 3 frames, 20,000 values a frame: the sample correlation of frames of one clip
        // is ρ within ±0.02 (its standard error is about 0.003), of frames of different clips 0.
        var rng = RandomGenerator(seed: 5)
        let n = 20_000
        let x = FrameNoise(correlation: 0.9).draw([6, n], frames: 3, using: &rng).scalars
        func frame(_ i: Int) -> ArraySlice<Float> { x[(i * n)..<((i + 1) * n)] }
        func correlation(_ p: ArraySlice<Float>, _ q: ArraySlice<Float>) -> Double {
            zip(p, q).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / Double(n)
        }
        for i in 0..<6 { #expect(abs(correlation(frame(i), frame(i)) - 1) < 0.03, "variance of frame \(i)") }
        #expect(abs(correlation(frame(0), frame(1)) - 0.9) < 0.02)
        #expect(abs(correlation(frame(3), frame(5)) - 0.9) < 0.02)
        #expect(abs(correlation(frame(2), frame(3))) < 0.03)
    }

    @Test func frameNoiseKeyIsReadCheckedAndWrittenBack() throws {
        let c = try ModelConfiguration.parse(yaml: "model:\n  frames: 8\n  frame_noise: 0.9\n", source: "v.yaml")
        #expect(c.unet.frameNoiseCorrelation == 0.9)
        #expect(try ModelConfiguration.parse(yaml: configurationYAML([c.section]), source: "round trip") == c)
        for (yaml, why) in [("  frames: 8\n  frame_noise: 1\n", "must lie in [0, 1)"), ("  frame_noise: 0.5\n", "only a video model")] {
            do {
                _ = try ModelConfiguration.parse(yaml: "model:\n" + yaml, source: "v.yaml")
                Issue.record("\(yaml) accepted")
            } catch { #expect("\(error)".contains("v.yaml: model.frame_noise: " + why), "\(error)") }
        }
    }

    /// The windowed ε of a denoiser that mixes the frames of each window (every row becomes its
    /// window's mean): shared frames get the mean of their windows' means, worked out by hand.
    @Test func epsilonJoinsWindowsThatMixTheirFrames() {
        let w = ClipWindows(frames: 6, window: 4)
        let x = Tensor(shape: [6, 1], scalars: [0, 4, 8, 12, 16, 20])
        var calls: [[Int]] = []
        let e = w.epsilon(x) { clips in
            calls.append(clips.shape)
            let v = clips.scalars
            let means = stride(from: 0, to: v.count, by: 4).map { i in v[i..<(i + 4)].reduce(0, +) / 4 }
            return Tensor(shape: clips.shape, scalars: v.indices.map { means[$0 / 4] })
        }
        // Window 0 holds frames 0–3 (mean 6), window 1 frames 2–5 (mean 14); frames 2 and 3 are in both.
        #expect(calls == [[8, 1]])
        #expect(e.scalars == [6, 6, 10, 10, 14, 14])
        // A clip that fits one window goes to the denoiser whole.
        let single = ClipWindows(frames: 4, window: 8).epsilon(Tensor(shape: [4, 1], scalars: [1, 2, 3, 4])) { $0 * 2 }
        #expect(single.scalars == [2, 4, 6, 8])
    }

    /// A freshly inflated video model computes the image model's ε in every frame, so averaging
    /// windows changes nothing: 10 frames through windows of 4 come out as through one window of
    /// 16, which checks that frames and their graphs' contexts go to the right rows. Not bit for
    /// bit: the UNet runs on batches of 32 and 20 images, whose GEMMs may sum in other orders, and
    /// DDPM's first steps magnify that (x̂_0 divides by α ≈ 5e-5); a wrong row differs by tenths.
    @Test func windowsOfAnInflatedModelDrawTheSameClipAsOneWindow() throws {
        for correlation in [0.0, 0.8] {
            var short = TemporalTransformerTests.configuration(frames: 4), long = TemporalTransformerTests.configuration(frames: 16)
            short.unet.frameNoiseCorrelation = correlation; long.unet.frameNoiseCorrelation = correlation
            var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
            let windowed = SceneGraphDiffusion(short, rng: &a), whole = SceneGraphDiffusion(long, rng: &b)
            let graphs = try TemporalTransformerTests.frameGraphs(10)
            let sampler = try SamplerKind(name: "ddpm", steps: 4).makeSampler()
            let x = try windowed.sampleClip(frames: graphs, seed: 3, sampler: sampler, guidance: ClassifierFreeGuidance(scale: 2), schedule: DiffusionSetup(imageSize: 8).noiseSchedule, imageSize: 8)
            let y = try whole.sampleClip(frames: graphs, seed: 3, sampler: sampler, guidance: ClassifierFreeGuidance(scale: 2), schedule: DiffusionSetup(imageSize: 8).noiseSchedule, imageSize: 8)
            #expect(x.shape == [10, 3, 8, 8])
            let difference = zip(x.scalars, y.scalars).map { abs($0 - $1) }.max()!
            #expect(difference < 5e-3, "largest difference \(difference)")
        }
    }
}
