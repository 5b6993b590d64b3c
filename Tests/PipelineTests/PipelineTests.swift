import Diffusion
import Foundation
import GraphEncoder
import NN
import SceneGraphs
import Testing
import Tensors
@testable import Pipeline

/// A tiny random model in memory and on disk.
enum TinyPipeline {
    static let vocabulary: Vocabulary = {
        guard let v = try? Vocabulary(objects: [Vocabulary.imageObject, "red circle", "blue square"],
                                      predicates: [Vocabulary.inImagePredicate, "left of", "right of"]) else { preconditionFailure("vocabulary") }
        return v
    }()

    static func model() -> SceneGraphDiffusion {
        var rng = RandomGenerator(seed: 3)
        return SceneGraphDiffusion(ModelConfiguration(
            encoder: GraphEncoderConfiguration(objectClasses: 3, predicateClasses: 3, dimension: 8, hidden: 16, layers: 1, globalDimension: 16, maxTriples: 6),
            unet: UNetConfiguration(channels: 8, multipliers: [1], residualBlocks: 1, attentionLevels: [0], heads: 2, normGroups: 4),
            contextDimension: 16), rng: &rng)
    }

    static func folder() -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("pipeline-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let graph = SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)])
}

@Suite struct NoiseScheduleValueTests {
    /// ᾱ_t of the cosine schedule (T = 1000, s = 0.008) from its closed form f(t+1)/f(0), which the
    /// code never evaluates (it multiplies 1 − β_i step by step), and at t = 999, where β is clipped
    /// at 0.999, from ᾱ_998 · 0.001. The literals were computed in Python's float64.
    @Test func cosineScheduleMatchesItsClosedForm() {
        let schedule = DiffusionSetup(imageSize: 32).noiseSchedule
        #expect(schedule.steps == 1000)
        func f(_ t: Double) -> Double { let c = cos((t / 1000 + 0.008) / 1.008 * Double.pi / 2); return c * c }
        for t in [0, 1, 250, 500, 750, 990, 998] {
            let closedForm = f(Double(t + 1)) / f(0)
            #expect(abs(schedule.alphasCumprod[t] - closedForm) <= 1e-12 * max(closedForm, 1e-6), "ᾱ_\(t)")
        }
        let literals: [(Int, Double)] = [(0, 0.999958715775178), (500, 0.49228517244880304), (750, 0.14317864642609812),
                                         (998, 2.4287669070348544e-06), (999, 2.4287669070348567e-09)]
        for (t, value) in literals { #expect(abs(schedule.alphasCumprod[t] - value) <= 1e-12 * value, "ᾱ_\(t)") }
    }
}

@Suite struct ModelFileSetupTests {
    @Test func aModelFileCarriesHowToSampleIt() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try ModelFile.write(TinyPipeline.model(), vocabulary: TinyPipeline.vocabulary, setup: DiffusionSetup(imageSize: 16), recipe: "{}", steps: 0, to: url)
        let pipeline = try DiffusionPipeline(modelFile: url)
        #expect(pipeline.setup == DiffusionSetup(schedule: .cosine, timesteps: 1000, prediction: .epsilon, imageSize: 16))
        #expect(pipeline.metadata["sampling"] == #"{"schedule": "cosine", "timesteps": 1000, "prediction": "epsilon", "image_size": 16}"#)
    }

    /// Files written before the `sampling` entry (versions ≤ 9) load with what they imply.
    @Test func olderFilesGetTheSetupTheirRecipeImplies() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (recipe, size) in [(#"{"data": {"size": 24}}"#, 24), ("{}", 32)] {
            let model = TinyPipeline.model()
            let url = dir.appendingPathComponent("old.safetensors")
            let metadata = ["format": ModelFile.format, "config": configurationJSON([model.configuration.section]),
                            "vocab": TinyPipeline.vocabulary.jsonString(), "recipe": recipe, "steps": "0"]
            try SafeTensorsFile(tensors: model.stateDict(), metadata: metadata).write(to: url)
            #expect(try DiffusionPipeline(modelFile: url).setup == DiffusionSetup(imageSize: size))
        }
    }

    @Test func badSamplingMetadataIsOneErrorNamingTheFile() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = TinyPipeline.model()
        let url = dir.appendingPathComponent("bad.safetensors")
        let cases = [#"{"schedule": "linear", "timesteps": 1000, "prediction": "epsilon", "image_size": 16}"#: "sampling.schedule",
                     #"{"schedule": "cosine", "timesteps": 0, "prediction": "epsilon", "image_size": 16}"#: "sampling.timesteps",
                     #"{"schedule": "cosine", "timesteps": 1000, "prediction": "v", "image_size": 16}"#: "sampling.prediction",
                     #"{"schedule": "cosine", "timesteps": 1000, "prediction": "epsilon", "image_size": 100000}"#: "sampling.image_size"]
        for (json, key) in cases {
            let metadata = ["format": ModelFile.format, "config": configurationJSON([model.configuration.section]),
                            "vocab": TinyPipeline.vocabulary.jsonString(), "sampling": json, "recipe": "{}", "steps": "0"]
            try SafeTensorsFile(tensors: model.stateDict(), metadata: metadata).write(to: url)
            do {
                _ = try DiffusionPipeline(modelFile: url)
                Issue.record("\(json) accepted")
            } catch { #expect("\(error)".hasPrefix(url.path + ": its sampling metadata does not parse") && "\(error)".contains(key), "\(error)") }
        }
    }
}

@Suite struct SampleSettingsTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func everyLimitNamesItself() throws {
        let pipeline = DiffusionPipeline(model: TinyPipeline.model(), vocabulary: TinyPipeline.vocabulary, setup: DiffusionSetup(imageSize: 16))
        func settings(_ sampler: SamplerKind = .dpmSolverPlusPlus2M(steps: 20), guidance: Double = 5, size: Int? = nil) -> SampleSettings {
            SampleSettings(sampler: sampler, guidance: guidance, seed: 0, size: size)
        }
        #expect(message { try settings(size: 64).check(for: pipeline) } == "no error")
        #expect(message { try settings(size: 100_000).check(for: pipeline) } == "--size 100000: the largest size is 4096 (256 × the model's 16)")
        #expect(message { try settings(size: 40).check(for: pipeline) }.contains("whole multiple of the model's image size 16"))
        #expect(message { try settings(guidance: .nan).check(for: pipeline) } == "--guidance must be a number in 0.0…100.0, got nan")
        #expect(message { try settings(guidance: -1).check(for: pipeline) } == "--guidance must be a number in 0.0…100.0, got -1.0")
        #expect(message { try settings(guidance: .infinity).check(for: pipeline) }.hasPrefix("--guidance must be a number"))
        #expect(message { try settings(.ddim(steps: 1001, eta: 0)).check(for: pipeline) }
                == "--steps must lie in 1…1000 (the model's training timesteps), got 1001")
    }
}

@Suite struct PipelineDrawingTests {
    @Test func cancellingStopsAtTheNextStep() throws {
        let pipeline = DiffusionPipeline(model: TinyPipeline.model(), vocabulary: TinyPipeline.vocabulary, setup: DiffusionSetup(imageSize: 8))
        let settings = SampleSettings(sampler: .ddim(steps: 10, eta: 0), guidance: 2, seed: 0)
        var asked = 0
        #expect(throws: CancellationError.self) {
            _ = try pipeline.images([(TinyPipeline.graph, 0)], settings: settings, cancelled: { asked += 1; return asked >= 3 })
        }
        #expect(asked == 3)
        let images = try pipeline.images([(TinyPipeline.graph, 0), (TinyPipeline.graph, 1)], settings: settings, cancelled: { false })
        #expect(images.count == 2 && images[0].width == 8 && images[0].pixels != images[1].pixels)
    }
}

@Suite struct ShippedModelTests {
    @Test func foundThroughTheEnvironmentTheFolderOrTheCloneOfTheExecutable() throws {
        let clone = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: clone) }
        let weights = clone.appendingPathComponent("weights")
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: weights.appendingPathComponent("shapes32.safetensors"))
        let executable = clone.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release/sample")
        // From the executable's clone, whatever the current folder holds.
        let folders = ShippedModel.searchFolders(environment: [:], executable: executable)
        #expect(folders.last?.standardizedFileURL.path == weights.standardizedFileURL.path)
        #expect(try ShippedModel.image.locate(environment: ["SGD_WEIGHTS": weights.path], executable: nil).path == weights.appendingPathComponent("shapes32.safetensors").path)
        // Missing: the error lists every folder it looked in.
        let nowhere = clone.appendingPathComponent("nowhere")
        do {
            _ = try ShippedModel.video.locate(environment: ["SGD_WEIGHTS": nowhere.path], executable: executable)
            Issue.record("found a model that is not there")
        } catch {
            #expect("\(error)".contains("shapes32_video.safetensors is in none of \(nowhere.path)/, weights/, "))
            #expect("\(error)".contains("set SGD_WEIGHTS"))
        }
    }

    @Test func framesAreDrawnByTheImageModelWhileNoVideoModelIsShipped() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("images"), videos = dir.appendingPathComponent("videos")
        for folder in [images, videos] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data("x".utf8).write(to: images.appendingPathComponent("shapes32.safetensors"))
        try Data("x".utf8).write(to: videos.appendingPathComponent("shapes32_video.safetensors"))
        let fallback = try ShippedModel.forClips(in: [images])
        #expect(fallback.file.path == images.appendingPathComponent("shapes32.safetensors").path)
        #expect(fallback.notice == "no video model is shipped (shapes32_video.safetensors): the image model draws every frame from the same noise — smooth while the relations hold, a jump where one changes (docs/video.md)")
        let shipped = try ShippedModel.forClips(in: [images, videos])
        #expect(shipped.file.path == videos.appendingPathComponent("shapes32_video.safetensors").path && shipped.notice == nil)
        // Neither: the image model's message.
        do {
            _ = try ShippedModel.forClips(in: [dir])
            Issue.record("found a model that is not there")
        } catch {
            #expect("\(error)".contains("the shipped model shapes32.safetensors is in none of \(dir.relativePath)/"))
        }
    }
}
