import Foundation
import NN
import SceneGraphs
import Tensors

/// A model that cannot be used: names the file and what is wrong with it.
public struct ModelFileError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }

    public init(path: String, message: String) { self.path = path; self.message = message }
}

/// A trained scene-graph diffusion model on disk: safetensors with the parameters under the
/// reference's names (so PyTorch code with the same module names loads them by name), and metadata
/// with the resolved model config as JSON, the vocabulary as sg2im's vocab.json, how to sample it
/// (`DiffusionSetup`), the recipe and where the weights came from.
public enum ModelFile {
    public static let format = "scene-graph-diffusion/1"

    /// What a model file holds.
    public struct Contents {
        public let model: SceneGraphDiffusion
        public let vocabulary: Vocabulary
        /// How to sample it: schedule, T, prediction, image size.
        public let setup: DiffusionSetup
        public let metadata: [String: String]
    }

    /// Writes `model` atomically. `origin` (what the run started from: "continued from …") ends
    /// the provenance, so `steps` is not mistaken for the model's whole training.
    public static func write(_ model: SceneGraphDiffusion, vocabulary: Vocabulary, setup: DiffusionSetup, recipe: String, steps: Int,
                             to url: URL, provenance: String? = nil, origin: String? = nil) throws {
        let made = provenance ?? "trained with this project's `train` on ShapeWorld, \(steps) steps; EMA weights"
        let metadata = [
            "format": format, "config": configurationJSON([model.configuration.section]), "vocab": vocabulary.jsonString(),
            "sampling": setup.json, "recipe": recipe, "steps": String(steps), "provenance": made + (origin.map { "; " + $0 } ?? ""),
        ]
        try SafeTensorsFile(tensors: model.stateDict(), metadata: metadata).write(to: url)
    }

    /// Reads a model file: the model with its weights, its vocabulary, how to sample it and its
    /// metadata. Every way a file can be wrong (missing, truncated, not a model, a vocabulary that
    /// does not fit the model, parameters that do not match) is one error naming the file. Files
    /// without `sampling` metadata (versions ≤ 9) get what they imply (`DiffusionSetup.implied`).
    public static func read(_ url: URL) throws -> Contents {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw ModelFileError(path: path, message: "no such model file") }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw ModelFileError(path: path, message: "not a readable safetensors file (\(String(describing: error).replacingOccurrences(of: path + ": ", with: "")))")
        }
        guard let configText = file.metadata["config"], let vocabText = file.metadata["vocab"] else {
            throw ModelFileError(path: path, message: "not a scene-graph diffusion model (its metadata has no config and vocab)")
        }
        let configuration: ModelConfiguration
        do { configuration = try ModelConfiguration.parse(yaml: configText, source: path + " metadata") } catch {
            throw ModelFileError(path: path, message: "its config does not parse: \(error)")
        }
        let vocabulary: Vocabulary
        do { vocabulary = try Vocabulary(json: Data(vocabText.utf8), source: path + " metadata") } catch {
            throw ModelFileError(path: path, message: "its vocabulary does not parse: \(error)")
        }
        guard vocabulary.objectNames.count <= configuration.encoder.objectClasses,
              vocabulary.predicateNames.count <= configuration.encoder.predicateClasses else {
            throw ModelFileError(path: path, message: "its vocabulary (\(vocabulary.objectNames.count) objects, \(vocabulary.predicateNames.count) predicates) does not fit the model (model.num_objects \(configuration.encoder.objectClasses), model.num_predicates \(configuration.encoder.predicateClasses))")
        }
        let setup: DiffusionSetup
        if let text = file.metadata["sampling"] {
            do { setup = try DiffusionSetup(json: text, source: path + " metadata") } catch {
                throw ModelFileError(path: path, message: "its sampling metadata does not parse: \(error)")
            }
        } else {
            setup = .implied(byRecipe: file.metadata["recipe"])
        }
        var rng = RandomGenerator(seed: 0)
        let model = SceneGraphDiffusion(configuration, rng: &rng)
        try model.loadParameters(from: file, source: path)
        return Contents(model: model, vocabulary: vocabulary, setup: setup, metadata: file.metadata)
    }
}
