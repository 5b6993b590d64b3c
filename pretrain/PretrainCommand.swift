import RunConfiguration
import ArgumentParser
import Foundation
import Tensors
import Training

@main
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain the scene-graph encoder (masked-contrastive, against an image encoder) on ShapeWorld.",
        discussion: """
        Writes a run folder like `train` (config.yaml, metrics.jsonl + TensorBoard events, loss.png,
        checkpoints/) and, at the end, encoder.safetensors — the graph encoder under encoder.* names,
        for `train --encoder`, and the image encoder under image_encoder.* (with the graph encoder it
        scores graph–image agreement: `sample --best-of`, `--scorer`). Retrieval figures on held-out pairs every pretrain.eval_every steps.
        Ctrl-C or SIGTERM saves a checkpoint and exits 0; --resume continues bit for bit.
        """)

    @Option(help: "Config file (model, pretrain and data sections).") var config: String?
    @Option(help: "Run folder (default runs/pretrain-<date>).") var out: String?
    @Flag(help: "Continue the run in --out from its newest checkpoint.") var resume = false
    @Option(help: "Total steps (shorthand for pretrain.steps=N).") var steps: Int?
    @Option(help: "Objectives: contrastive, masked or both (default: the config's loss weights).") var loss: String?
    @Option(name: .customLong("stop-at"), help: "Stop with a checkpoint after this step; the learning-rate schedule still runs to pretrain.steps (continue with --resume).")
    var stopAt: Int?
    @Flag(help: "With --resume: write encoder.safetensors from the newest checkpoint, without training.") var export = false
    @Option(help: "A prepared data set (prepare --out DIR) to train on instead of ShapeWorld scenes (shorthand for data.pack=DIR).") var data: String?
    @Argument(help: "Config overrides, section.key=value (e.g. pretrain.lr=3e-4).") var overrides: [String] = []

    func run() throws {
        OpenBLASCore.ensureOptimizedKernels()
        guard !resume || out != nil else { throw ValidationError("--resume needs --out RUN_FOLDER") }
        guard !export || resume else { throw ValidationError("--export needs --resume --out RUN_FOLDER: it writes the encoders of the run's newest checkpoint") }
        guard !export || stopAt == nil else { throw ValidationError("--export trains no steps; leave out --stop-at") }
        if let stopAt, stopAt < 1 { throw ValidationError("--stop-at must be a step ≥ 1, not \(stopAt)") }
        var objectives: PretrainingLoss?
        if let loss {
            guard let l = PretrainingLoss(rawValue: loss) else { throw ValidationError("--loss must be contrastive, masked or both") }
            objectives = l
        }
        let ok = try RunCommand.execute("pretrain", passThrough: { $0 is ValidationError }) { command in
            let folder = out ?? "runs/pretrain-\(RunClock.timestamp())"
            let (run, _, resumedAt) = try PretrainingLaunch(config: config.map { URL(fileURLWithPath: $0) }, out: URL(fileURLWithPath: folder),
                                                            resume: resume, loss: objectives,
                                                            overrides: overrides + (steps.map { ["pretrain.steps=\($0)"] } ?? []) + (data.map { ["data.pack=\($0)"] } ?? []),
                                                            parallel: command.parallel).prepare()
            if export { try run.export(); command.notice("exported step \(resumedAt ?? 0): encoders in \(folder)/encoder.safetensors"); return }
            command.announce(folder: folder, resumedAt: resumedAt)
            if case .finished = try run.stopping(at: stopAt).run(resumedAt: resumedAt) {
                command.notice("done; encoder in \(folder)/encoder.safetensors")
            }
        }
        if !ok { throw ExitCode.failure }
    }
}
