import Foundation
import GraphEncoder
import NN
import SceneGraphs
import Testing
import Tensors
@testable import Diffusion

@Suite struct ClipContinuationTests {
    @Test func framePlanContinuesFromFrameZeroThenFromTheLastContextFrames() {
        let long = ClipContinuation(frames: 24, window: 8, context: 4)
        #expect(long.alone == [0])
        #expect(long.windows.map(\.kept) == [[0], Array(4..<8), Array(8..<12), Array(12..<16), Array(16..<20)])
        #expect(long.windows.map(\.new) == [Array(1..<8), Array(8..<12), Array(12..<16), Array(16..<20), Array(20..<24)])
        #expect(long.frameEvaluations == 1 + 8 + 4 * 8)
        // The clip's end leaves 2 new frames: the window keeps 6 frames of context to stay 8 long.
        let ten = ClipContinuation(frames: 10, window: 8, context: 4)
        #expect(ten.windows.map(\.rows) == [Array(0..<8), Array(2..<10)])
        #expect(ClipContinuation(frames: 5, window: 8, context: 4).windows.map(\.rows) == [Array(0..<5)])
        #expect(ClipContinuation(frames: 1, window: 8, context: 4).windows.isEmpty)
        // Context 1 with windows of 2: one new frame a window, each beside the one before.
        #expect(ClipContinuation(frames: 4, window: 2, context: 1).windows.map(\.rows) == [[0, 1], [1, 2], [2, 3]])
    }

    @Test func keyframePlanDrawsEveryWindowMinusOneFrameAloneAndInfillsBetween() {
        let long = ClipContinuation(frames: 24, window: 8, context: 4, keyframes: true)
        #expect(long.alone == [0, 7, 14, 21])
        #expect(long.windows.map(\.kept) == [[0, 7], [7, 14], [14, 21], Array(16..<22)])
        #expect(long.windows.map(\.new) == [Array(1..<7), Array(8..<14), Array(15..<21), [22, 23]])
        #expect(long.windows.map(\.rows) == [Array(0..<8), Array(7..<15), Array(14..<22), Array(16..<24)])
        #expect(long.frameEvaluations == 4 + 4 * 8)
        let eight = ClipContinuation(frames: 8, window: 8, context: 4, keyframes: true)
        #expect(eight.alone == [0, 7])
        #expect(eight.windows == [ClipContinuation.Window(kept: [0, 7], new: Array(1..<7))])
        // A frame after the last keyframe is continued from the 7 before it; a short clip from frame 0.
        let nine = ClipContinuation(frames: 9, window: 8, context: 4, keyframes: true)
        #expect(nine.windows.map(\.new) == [Array(1..<7), [8]])
        #expect(nine.windows.map(\.kept) == [[0, 7], Array(1..<8)])
        #expect(ClipContinuation(frames: 5, window: 8, context: 4, keyframes: true).windows.map(\.rows) == [Array(0..<5)])
    }

    @Test func contextFramesKeyIsReadCheckedAndWrittenBack() throws {
        let c = try ModelConfiguration.parse(yaml: "model:\n  frames: 8\n  context_frames: 4\n", source: "v.yaml")
        #expect(c.unet.contextFrames == 4)
        #expect(try ModelConfiguration.parse(yaml: configurationYAML([c.section]), source: "round trip") == c)
        #expect(try ModelConfiguration.parse(yaml: "model:\n  frames: 8\n", source: "v.yaml").unet.contextFrames == 0)
        let k = try ModelConfiguration.parse(yaml: "model:\n  frames: 8\n  context_frames: 4\n  keyframes: true\n", source: "v.yaml")
        #expect(k.unet.keyframes)
        #expect(try ModelConfiguration.parse(yaml: configurationYAML([k.section]), source: "round trip") == k)
        do {
            _ = try ModelConfiguration.parse(yaml: "model:\n  frames: 8\n  keyframes: true\n", source: "v.yaml")
            Issue.record("keyframes without context frames accepted")
        } catch { #expect("\(error)".contains("v.yaml: model.keyframes: needs model.context_frames"), "\(error)") }
        for (yaml, why) in [("  frames: 8\n  context_frames: 8\n", "must lie in 0…7"), ("  frames: 8\n  context_frames: -1\n", "must lie in 0…7"),
                            ("  context_frames: 2\n", "only a video model")] {
            do {
                _ = try ModelConfiguration.parse(yaml: "model:\n" + yaml, source: "v.yaml")
                Issue.record("\(yaml) accepted")
            } catch { #expect("\(error)".contains("v.yaml: model.context_frames: " + why), "\(error)") }
        }
    }

    /// One frame alone is an image: a video model whose temporal layers do something computes the
    /// image model's ε for it, bit for bit, and something else for the same image inside a clip.
    @Test func aSingleFrameSkipsTheTemporalLayers() throws {
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let video = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 4), rng: &a)
        let image = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 0), rng: &b)
        TemporalTransformerTests.perturbOutputProjections(video)
        let graphs = try TemporalTransformerTests.frameGraphs(2)
        var rng = RandomGenerator(seed: 9)
        let x = Tensor.normal([2, 3, 8, 8], using: &rng)
        let alone = video(x, timesteps: [500, 500], frameGraphs: graphs, frames: 1)
        #expect(alone.scalars == image(x, timesteps: [500, 500], graphs: graphs).scalars)
        let together = video(x, timesteps: [500, 500], frameGraphs: graphs, frames: 2)
        #expect(zip(alone.scalars, together.scalars).map { abs($0 - $1) }.max()! > 1e-3)
    }

    static func continuingModel(frames: Int = 4, context: Int = 2, correlation: Double = 0.5) -> SceneGraphDiffusion {
        var c = TemporalTransformerTests.configuration(frames: frames)
        c.unet.contextFrames = context; c.unet.frameNoiseCorrelation = correlation
        var rng = RandomGenerator(seed: 11)
        let model = SceneGraphDiffusion(c, rng: &rng)
        TemporalTransformerTests.perturbOutputProjections(model)
        return model
    }

    /// A continued clip is drawn front to back: its first frames do not depend on later frames'
    /// graphs or on how long the clip is, and a later frame does depend on the frames before it.
    @Test func continuedClipsAreCausal() throws {
        let model = Self.continuingModel()
        let sampler = try SamplerKind(name: "ddim", steps: 3).makeSampler()
        let schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        let guidance = ClassifierFreeGuidance(scale: 2, relationScale: 1)
        func draw(_ graphs: GraphBatch) throws -> [Float] {
            try model.sampleClip(frames: graphs, seed: 4, sampler: sampler, guidance: guidance, schedule: schedule, imageSize: 8).scalars
        }
        let perFrame = 3 * 8 * 8
        let ten = try draw(TemporalTransformerTests.frameGraphs(10))
        #expect(ten.count == 10 * perFrame)
        // frameGraphs(n) flips the relation at n/2: the first 4 frames of 10 and of 8 share graphs.
        let eight = try draw(TemporalTransformerTests.frameGraphs(8))
        #expect(Array(ten[0..<(4 * perFrame)]) == Array(eight[0..<(4 * perFrame)]))
        #expect(Array(ten[(4 * perFrame)..<(5 * perFrame)]) != Array(eight[(4 * perFrame)..<(5 * perFrame)]))
    }

    /// With the temporal layers silent (proj_out zero, as training starts) the context frames change
    /// nothing: every frame of a continued clip is the image model's sample of its own graph from its
    /// own row of the clip's starting noise (ρ = 0: one plain draw), computed here by the bare
    /// sampler on the image model. Not bit for bit: the UNet runs on other batch sizes, whose GEMMs
    /// may sum in other orders; a frame given the wrong graph or noise differs by tenths.
    @Test(arguments: [false, true])
    func silentTemporalLayersDrawEveryFrameAsTheImageModelWould(keyframes: Bool) throws {
        var c = TemporalTransformerTests.configuration(frames: 4)
        c.unet.contextFrames = 2; c.unet.keyframes = keyframes
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        let video = SceneGraphDiffusion(c, rng: &a), image = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 0), rng: &b)
        let sampler = try SamplerKind(name: "ddim", steps: 3).makeSampler()
        let schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        let f = 6
        let graphs = (0..<f).map { i in
            SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, i < 3 ? "left of" : "right of", 1)])
        }
        let clip = try video.sampleClip(frames: GraphBatch(SceneGraphBatch(graphs, vocabulary: TemporalTransformerTests.vocabulary)), seed: 4,
                                        sampler: sampler, guidance: ClassifierFreeGuidance(scale: 1), schedule: schedule, imageSize: 8)
        var generator = RandomGenerator(seed: 4)
        let noise = Tensor.normal([f, 3, 8, 8], using: &generator)
        for frame in 0..<f {
            let one = try GraphBatch(SceneGraphBatch([graphs[frame]], vocabulary: TemporalTransformerTests.vocabulary))
            let expected = sampler.sample(initial: noise.slice(axis: 0, frame..<(frame + 1)), schedule: schedule,
                                          epsilon: { x, t in image(x, timesteps: [t], graphs: one) }, noise: { _ in Tensor.zeros([3, 8, 8]) })
            let got = clip.slice(axis: 0, frame..<(frame + 1)).scalars
            let difference = zip(got, expected.scalars.map { min(max($0, -1), 1) }).map { abs($0 - $1) }.max()!
            #expect(difference < 1e-3, "frame \(frame): \(difference)")
        }
    }
}
