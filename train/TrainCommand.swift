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
    @Option(name: .customLong("init"), help: "Image model to inflate when the config sets model.frames (clip training of the temporal layers).")
    var initialWeights: String?
    @Option(help: "Run folder (default runs/train-<date>).") var out: String?
    @Flag(help: "Continue the run in --out from its newest checkpoint.") var resume = false
    @Option(help: "Total steps (shorthand for train.steps=N).") var steps: Int?
    @Option(name: .customLong("stop-at"), help: "Stop with a checkpoint after this step; the learning-rate schedule still runs to train.steps (continue with --resume).")
    var stopAt: Int?
    @Argument(help: "Config overrides, section.key=value.") var overrides: [String] = []

    func run() throws {
        OpenBLASCore.ensureOptimizedKernels()
        var parallel = DataParallel.single
        do {
            parallel = try DataParallel.fromEnvironment()
            guard !resume || out != nil else { throw ValidationError("--resume needs --out RUN_FOLDER") }
            if let stopAt, stopAt < 1 { throw ValidationError("--stop-at must be a step ≥ 1, not \(stopAt)") }
            let folder = out ?? "runs/train-\(RunClock.timestamp())"
            let allOverrides = overrides + (steps.map { ["train.steps=\($0)"] } ?? [])
            if try ClipTrainingLaunch.trainsClips(config: config.map { URL(fileURLWithPath: $0) }, out: URL(fileURLWithPath: folder),
                                                  resume: resume, overrides: allOverrides) {
                let (run, _, resumedAt) = try ClipTrainingLaunch(config: config.map { URL(fileURLWithPath: $0) },
                                                                 initialWeights: initialWeights.map { URL(fileURLWithPath: $0) },
                                                                 out: URL(fileURLWithPath: folder), resume: resume, overrides: allOverrides).prepare()
                FileHandle.standardError.write(Data("train: clips; \(resumedAt.map { "resuming at step \($0) in" } ?? "new run in") \(folder)\n".utf8))
                if case .finished = try run.stopping(at: stopAt).run(resumedAt: resumedAt) {
                    FileHandle.standardError.write(Data("train: done; video model in \(folder)/model.safetensors\n".utf8))
                }
                return
            }
            guard initialWeights == nil else { throw ValidationError("--init inflates an image model into a video model: the config needs model.frames") }
            let launch = DenoiserTrainingLaunch(config: config.map { URL(fileURLWithPath: $0) }, encoder: encoder.map { URL(fileURLWithPath: $0) },
                                                out: URL(fileURLWithPath: folder), resume: resume,
                                                overrides: overrides + (steps.map { ["train.steps=\($0)"] } ?? []), parallel: parallel)
            let (run, _, resumedAt) = try launch.prepare()
            if parallel.isRoot { FileHandle.standardError.write(Data("train: \(parallel.communicator.size > 1 ? "\(parallel.communicator.size) ranks, " : "")\(resumedAt.map { "resuming at step \($0) in" } ?? "new run in") \(folder)\n".utf8)) }
            if case .finished = try run.stopping(at: stopAt).run(resumedAt: resumedAt), parallel.isRoot {
                FileHandle.standardError.write(Data("train: done; weights in \(folder)/model.safetensors\n".utf8))
            }
            try parallel.communicator.finalize()
        } catch let error as ValidationError { throw error } catch {
            FileHandle.standardError.write(Data("train: \(error)\n".utf8))
            // The other ranks may be waiting in a collective for this one: end them too.
            if parallel.communicator.size > 1 { parallel.communicator.abort(code: 1) }
            throw ExitCode.failure
        }
    }
}
