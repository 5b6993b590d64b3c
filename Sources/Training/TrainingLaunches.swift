import RunConfiguration
import Diffusion
import Foundation
import NN

/// `train`'s options: the denoiser's run from a config (or a run folder to resume), an optional
/// pretrained encoder, or a model file to continue from (`--init`).
public struct DenoiserTrainingLaunch {
    public var launch: RunLaunch
    public var encoder: URL?
    public var initialWeights: URL?

    public init(config: URL?, encoder: URL?, initialWeights: URL? = nil, out: URL, resume: Bool, overrides: [String],
                parallel: DataParallel = .single) {
        launch = RunLaunch(config: config, out: out, resume: resume, overrides: overrides, resumableOverrides: ["train.steps"], parallel: parallel)
        self.encoder = encoder
        self.initialWeights = initialWeights
    }

    public func prepare() throws -> (run: TrainingRun, task: DenoiserTraining, resumedAt: Int?) {
        if initialWeights != nil && launch.resume {
            throw ConfigurationError(source: "command line", key: "--init", message: "a resumed run keeps its weights (they are in its checkpoints)")
        }
        return try launch.prepare { file in
            let model = try file.model()
            let recipe = try file.read { try TrainingConfiguration.parse(root: $0, source: $1) }
            let data = try file.read { try DataConfiguration.parse(root: $0, source: $1) }
            var weights: (SafeTensorsFile, String)?
            if let encoder, !launch.resume {
                do { weights = (try SafeTensorsFile(contentsOf: encoder), encoder.relativePath) } catch {
                    throw CheckpointError(path: encoder.relativePath, message: "cannot read the encoder: \(error)")
                }
            }
            try launch.parallel.checkSplits(batch: recipe.batch, key: "train.batch")
            let initial = try initialWeights.map { try StartingModel(reading: $0) }
            let task = try DenoiserTraining(model: model, recipe: recipe, data: data, encoderWeights: weights, initialModel: initial,
                                            restoring: launch.resume)
            task.parallel = launch.parallel
            let intervals = RunIntervals(recipe, evaluate: recipe.sampleEvery)
            return (task, intervals, [model.section, recipe.section, data.section])
        }
    }
}

/// `pretrain`'s options: the encoder's pretraining run from a config (or a run folder to resume).
public struct PretrainingLaunch {
    public var launch: RunLaunch
    /// `--loss`: which objectives to train (nil = as the config says).
    public var loss: PretrainingLoss?

    public init(config: URL?, out: URL, resume: Bool, loss: PretrainingLoss?, overrides: [String], parallel: DataParallel = .single) {
        launch = RunLaunch(config: config, out: out, resume: resume, overrides: overrides, resumableOverrides: ["pretrain.steps"], parallel: parallel)
        self.loss = loss
    }

    public func prepare() throws -> (run: TrainingRun, task: EncoderPretraining, resumedAt: Int?) {
        if loss != nil && launch.resume {
            throw ConfigurationError(source: "command line", key: "--loss", message: "a resumed run keeps its losses (they are in its config.yaml)")
        }
        return try launch.prepare { file in
            let model = try file.model()
            var recipe = try file.read { try PretrainingConfiguration.parse(root: $0, source: $1) }
            if let loss { recipe.use(loss) }
            let data = try file.read { try DataConfiguration.parse(root: $0, source: $1) }
            try launch.parallel.checkSplits(batch: recipe.batch, key: "pretrain.batch")
            let task = try EncoderPretraining(graph: model.encoder, recipe: recipe, data: data)
            task.parallel = launch.parallel
            let intervals = RunIntervals(recipe, evaluate: recipe.evalEvery)
            return (task, intervals, [model.section, recipe.section, data.section])
        }
    }
}

/// `train` with a config whose `model.frames` is set: the temporal layers' run, inflating the image
/// model given by `--init` (a run folder to resume needs no `--init`: its checkpoints hold it all).
public struct ClipTrainingLaunch {
    public var launch: RunLaunch
    public var initialWeights: URL?

    public init(config: URL?, initialWeights: URL?, out: URL, resume: Bool, overrides: [String]) {
        launch = RunLaunch(config: config, out: out, resume: resume, overrides: overrides, resumableOverrides: ["train.steps"])
        self.initialWeights = initialWeights
    }

    /// Whether the run to launch trains clips: its config (the run's own when resuming) sets `model.frames`.
    public static func trainsClips(config: URL?, out: URL, resume: Bool, overrides: [String]) throws -> Bool {
        let url = resume ? RunFolder(out).resolvedConfig : config
        guard let url, FileManager.default.fileExists(atPath: url.path) else { return false }
        return try ConfigFile(url: url, overrides: resume ? [] : overrides).model().unet.frames > 0
    }

    public func prepare() throws -> (run: TrainingRun, task: ClipTraining, resumedAt: Int?) {
        if initialWeights != nil && launch.resume {
            throw ConfigurationError(source: "command line", key: "--init", message: "a resumed run keeps its weights (they are in its checkpoints)")
        }
        return try launch.prepare { file in
            let model = try file.model()
            let recipe = try file.read { try TrainingConfiguration.parse(root: $0, source: $1) }
            let data = try file.read { try DataConfiguration.parse(root: $0, source: $1) }
            if data.pack != nil || data.source != .shapeworld {
                throw ConfigurationError(source: "config", key: data.pack != nil ? "data.pack" : "data.source",
                                         message: "clip training draws ShapeWorld clips; real data sets train image models")
            }
            let image = try initialWeights.map { try StartingModel(reading: $0) }
            let task = try ClipTraining(model: model, recipe: recipe, data: data, imageModel: image, restoring: launch.resume)
            let intervals = RunIntervals(recipe, evaluate: recipe.sampleEvery)
            return (task, intervals, [model.section, recipe.section, data.section])
        }
    }
}
