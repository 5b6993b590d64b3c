import RunConfiguration
import ArgumentParser
import Foundation
import Tensors
import Training

@main
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the scene-graph diffusion denoiser on ShapeWorld.",
        discussion: """
        Writes a run folder: config.yaml (resolved), metrics.jsonl and TensorBoard events, loss.png,
        samples/, checkpoints/ (every train.checkpoint_every steps, the newest train.keep_checkpoints
        kept) and, at the end, model.safetensors (EMA weights). Ctrl-C or SIGTERM saves a checkpoint
        and exits 0; --resume continues bit for bit. Any config key can be overridden: train.lr=3e-4.
        """)

    @Option(help: "Config file (model, train and data sections).") var config: String?
    @Option(help: "Pretrained encoder (a pretrain run's encoder.safetensors); needed when train.encoder is frozen or finetune.") var encoder: String?
    @Option(name: .customLong("init"), help: "Model file to start from: an image run continues its weights (encoder included; fresh optimizer and schedule); with model.frames, the image model to inflate.")
    var initialWeights: String?
    @Option(help: "Run folder (default runs/train-<date>).") var out: String?
    @Flag(help: "Continue the run in --out from its newest checkpoint.") var resume = false
    @Option(help: "Total steps (shorthand for train.steps=N).") var steps: Int?
    @Option(name: .customLong("stop-at"), help: "Stop with a checkpoint after this step; the learning-rate schedule still runs to train.steps (continue with --resume).")
    var stopAt: Int?
    @Flag(help: "With --resume: write model.safetensors from the newest checkpoint's EMA weights, without training (the recipe keeps the whole schedule).")
    var export = false
    @Option(help: "A prepared data set (prepare --out DIR) to train on instead of ShapeWorld scenes (shorthand for data.pack=DIR).") var data: String?
    @Argument(help: "Config overrides, section.key=value.") var overrides: [String] = []

    func run() throws {
        OpenBLASCore.ensureOptimizedKernels()
        guard !resume || out != nil else { throw ValidationError("--resume needs --out RUN_FOLDER") }
        guard !export || resume else { throw ValidationError("--export needs --resume --out RUN_FOLDER: it writes the weights of the run's newest checkpoint") }
        guard !export || stopAt == nil else { throw ValidationError("--export trains no steps; leave out --stop-at") }
        if let stopAt, stopAt < 1 { throw ValidationError("--stop-at must be a step ≥ 1, not \(stopAt)") }
        let ok = try RunCommand.execute("train", passThrough: { $0 is ValidationError }) { command in
            let folder = out ?? "runs/train-\(RunClock.timestamp())"
            let configURL = config.map { URL(fileURLWithPath: $0) }, outURL = URL(fileURLWithPath: folder)
            let allOverrides = overrides + (steps.map { ["train.steps=\($0)"] } ?? []) + (data.map { ["data.pack=\($0)"] } ?? [])
            let clips = try ClipTrainingLaunch.trainsClips(config: configURL, out: outURL, resume: resume, overrides: allOverrides)
            // Every rank would train the whole clip batch and write the same folder.
            if clips && command.parallel.communicator.size != 1 { throw ValidationError("clip training (model.frames) runs on one rank; start it without mpirun") }
            let initial = initialWeights.map { URL(fileURLWithPath: $0) }
            let (run, resumedAt) = clips
                ? started(try ClipTrainingLaunch(config: configURL, initialWeights: initial, out: outURL, resume: resume, overrides: allOverrides).prepare())
                : started(try DenoiserTrainingLaunch(config: configURL, encoder: encoder.map { URL(fileURLWithPath: $0) }, initialWeights: initial,
                                                     out: outURL, resume: resume, overrides: allOverrides, parallel: command.parallel).prepare())
            let written = clips ? "video model" : "weights"
            if export { try run.export(); command.notice("exported step \(resumedAt ?? 0): \(written) in \(folder)/model.safetensors"); return }
            command.announce(folder: folder + (clips ? " (clips)" : ""), resumedAt: resumedAt)
            if case .finished = try run.stopping(at: stopAt).run(resumedAt: resumedAt) {
                command.notice("done; \(written) in \(folder)/model.safetensors")
            }
        }
        if !ok { throw ExitCode.failure }
    }
}

/// A prepared run and where it resumes, whatever its task.
private func started<Task>(_ prepared: (run: TrainingRun, task: Task, resumedAt: Int?)) -> (TrainingRun, Int?) {
    (prepared.run, prepared.resumedAt)
}
