import Diffusion
import Foundation
import Media
import Pipeline
import RunConfiguration
import Testing
@testable import Training

/// The training evaluation draws what `sample --eval` would draw from the model the run writes:
/// the same pipeline, the same graphs and seeds, byte for byte (with plain guidance at every step,
/// as every learning curve was measured).
@Suite struct EvaluationPicturesTests {
    @Test func theEvaluationsImagesAreTheWrittenModelsImages() throws {
        let run = TinyRun.folder("eval-pictures")
        defer { try? FileManager.default.removeItem(at: run) }
        let config = try TinyRun.configFile(near: run, text: TinyRun.config.replacingOccurrences(of: "eval_graphs: 0", with: "eval_graphs: 3\n  eval_steps: 2"))
        defer { try? FileManager.default.removeItem(at: config) }
        let (training, task, _) = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false, overrides: ["train.steps=2"]).prepare()
        _ = try training.run(resumedAt: nil)
        let fromRun = try task.evaluation.drawHeldOut()
        let written = try DiffusionPipeline(modelFile: run.appendingPathComponent("model.safetensors"))
        let settings = SampleSettings(sampler: try SamplerKind(name: task.recipe.evalSampler, steps: task.recipe.evalSteps),
                                      guidance: task.recipe.evalGuidance, seed: 0, relationGuidance: 0, guidanceCutoff: 0, objectGuidance: 0)
        let fromFile = try written.images(task.evaluation.graphs.enumerated().map { ($1, UInt64($0)) }, settings: settings)
        #expect(fromRun.count == 3)
        #expect(fromRun.map(\.pixels) == fromFile.map(\.pixels))
        #expect(written.setup == DiffusionSetup(imageSize: 16))
    }
}
