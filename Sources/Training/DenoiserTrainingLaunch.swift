import Diffusion
import Foundation
import NN

/// What `train` was asked to do, turned into a ready run: a new run folder with the resolved
/// config, or an existing one restored from its newest checkpoint.
public struct DenoiserTrainingLaunch {
    public var config: URL?
    public var encoder: URL?
    public var out: URL
    public var resume: Bool
    public var overrides: [String]

    public init(config: URL?, encoder: URL?, out: URL, resume: Bool, overrides: [String]) {
        self.config = config; self.encoder = encoder; self.out = out; self.resume = resume; self.overrides = overrides
    }

    /// A resumed run keeps its recipe; only its length may change.
    static let resumableOverrides: Set<String> = ["train.steps"]

    /// Builds the run; for a resumed run also restores its state (and returns the step it resumes at).
    public func prepare() throws -> (run: TrainingRun, task: DenoiserTraining, resumedAt: Int?) {
        let file: ConfigFile
        var existing: RunFolder?
        if resume {
            let folder = try RunFolder.existing(out)
            existing = folder
            for o in overrides {
                let key = String(o.prefix { $0 != "=" })
                guard Self.resumableOverrides.contains(key) else {
                    throw ConfigurationError(source: "override \(o)", key: key,
                                             message: "a resumed run keeps the config in \(folder.resolvedConfig.path); only train.steps may change")
                }
            }
            file = try ConfigFile(url: folder.resolvedConfig, overrides: overrides)
        } else {
            guard let config else { throw ConfigurationError(source: "train", key: "--config", message: "a new run needs --config FILE") }
            file = try ConfigFile(url: config, overrides: overrides)
        }
        let model = try file.model()
        let recipe = try file.read { try TrainingConfiguration.parse(root: $0, source: $1) }
        let data = try file.read { try DataConfiguration.parse(root: $0, source: $1) }
        var encoderWeights: (SafeTensorsFile, String)?
        if let encoder, !resume {
            do { encoderWeights = (try SafeTensorsFile(contentsOf: encoder), encoder.path) } catch {
                throw CheckpointError(path: encoder.path, message: "cannot read the encoder: \(error)")
            }
        }
        let task = try DenoiserTraining(model: model, recipe: recipe, data: data, encoderWeights: encoderWeights, restoring: resume)
        let resolved = configurationYAML([model.section, recipe.section, data.section],
                                         header: "Resolved config of this run (every key, defaults filled in).")
        let run = try existing ?? RunFolder.create(out, resolvedConfig: resolved)
        let training = TrainingRun(folder: run, task: task,
                                   intervals: RunIntervals(log: recipe.logEvery, checkpoint: recipe.checkpointEvery,
                                                           evaluate: recipe.sampleEvery, keepCheckpoints: recipe.keepCheckpoints),
                                   metadata: ["config": configurationJSON([model.section, recipe.section, data.section])])
        let resumedAt = resume ? try training.restoreLatest() : nil
        return (training, task, resumedAt)
    }
}
