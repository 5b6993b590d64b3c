import RunConfiguration
import Diffusion
import Foundation
import NN

/// What a training command was asked to do, turned into a ready run, the same way for every kind
/// of training: a new run folder with the resolved config, or an existing run restored from its
/// newest checkpoint (keeping its recipe; only its length may change).
public struct RunLaunch {
    public var config: URL?
    public var out: URL
    public var resume: Bool
    public var overrides: [String]
    /// The only keys a resumed run may change.
    public var resumableOverrides: Set<String>
    /// The job's ranks (one by default); only rank 0 creates, locks and reads the run folder.
    public var parallel: DataParallel

    public init(config: URL?, out: URL, resume: Bool, overrides: [String], resumableOverrides: Set<String>,
                parallel: DataParallel = .single) {
        self.config = config; self.out = out; self.resume = resume; self.overrides = overrides; self.resumableOverrides = resumableOverrides
        self.parallel = parallel
    }

    /// Reads the config (the run's own `config.yaml` when resuming), lets `makeTask` build the
    /// task from it (with its intervals and resolved sections), creates or opens the run folder,
    /// and restores the newest checkpoint when resuming.
    public func prepare<Task: TrainingTask>(
        _ makeTask: (ConfigFile) throws -> (task: Task, intervals: RunIntervals, sections: [ConfigSection])
    ) throws -> (run: TrainingRun, task: Task, resumedAt: Int?) {
        let file: ConfigFile
        var existing: RunFolder?
        if resume {
            let folder = try RunFolder.existing(out)
            existing = folder
            for o in overrides {
                let key = String(o.prefix { $0 != "=" })
                guard resumableOverrides.contains(key) else {
                    throw ConfigurationError(source: "override \(o)", key: key, message: "a resumed run keeps the config in \(folder.resolvedConfig.path); only "
                                             + resumableOverrides.sorted().joined(separator: ", ") + " may change")
                }
            }
            file = try ConfigFile(url: folder.resolvedConfig, overrides: overrides)
        } else {
            guard let config else { throw ConfigurationError(source: "command line", key: "--config", message: "a new run needs --config FILE") }
            file = try ConfigFile(url: config, overrides: overrides)
        }
        let (task, intervals, sections) = try makeTask(file)
        let root = parallel.isRoot
        let resolved = configurationYAML(sections, header: "Resolved config of this run (every key, defaults filled in).")
        let run = try existing ?? (root ? RunFolder.create(out, resolvedConfig: resolved) : RunFolder(out))
        let training = TrainingRun(folder: run, task: task, intervals: intervals, metadata: ["config": configurationJSON(sections)])
        training.parallel = parallel
        if root { training.lock = try RunLock(run) }
        if resume && root {
            try training.restoreLatest()
            if !overrides.isEmpty { try run.writeResolvedConfig(resolved) }
        }
        try parallel.synchronize(task)
        return (training, task, resume ? task.step : nil)
    }
}
