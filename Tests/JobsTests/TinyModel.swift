import Pipeline
import Diffusion
import Foundation
import GraphEncoder
import NN
import SceneGraphs
import ShapeWorld
import Tensors
@testable import Jobs

/// A randomly initialised tiny model written as a model file, for the sampling commands' tests.
enum TinyModel {
    static var configuration: ModelConfiguration {
        ModelConfiguration(encoder: GraphEncoderConfiguration(objectClasses: 19, predicateClasses: 7, dimension: 8, hidden: 16, layers: 1,
                                                              globalDimension: 16, maxTriples: 6),
                           unet: UNetConfiguration(channels: 8, multipliers: [1], residualBlocks: 1, attentionLevels: [0], heads: 2, normGroups: 4),
                           contextDimension: 16)
    }

    static func folder() -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("jobs-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes the tiny model (16×16 images unless `imageSize` says otherwise) into `folder` as `name` and returns its path.
    static func write(in folder: URL, vocabulary: Vocabulary = .shapeWorld, configuration: ModelConfiguration = configuration,
                      imageSize: Int = 16, name: String = "tiny.safetensors") throws -> URL {
        var rng = RandomGenerator(seed: 3)
        let model = SceneGraphDiffusion(configuration, rng: &rng)
        let url = folder.appendingPathComponent(name)
        try ModelFile.write(model, vocabulary: vocabulary, setup: DiffusionSetup(imageSize: imageSize), recipe: "{\"data\": {\"size\": \(imageSize)}}", steps: 0, to: url)
        return url
    }

    static func settings() throws -> SampleSettings {
        SampleSettings(sampler: try SamplerKind(name: "ddim", steps: 2), guidance: 2, seed: 7)
    }

    static func writeGraph(_ json: String, in folder: URL, name: String = "g.json") throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url
    }
}
