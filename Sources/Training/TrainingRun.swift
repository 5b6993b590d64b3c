import RunConfiguration
import RunLogging
import Foundation
import Media
import NN
import Output

/// How often a run logs, checkpoints and evaluates.
public struct RunIntervals: Sendable {
    public var log: Int, checkpoint: Int, evaluate: Int, keepCheckpoints: Int
    public init(log: Int, checkpoint: Int, evaluate: Int, keepCheckpoints: Int) {
        self.log = log; self.checkpoint = checkpoint; self.evaluate = evaluate; self.keepCheckpoints = keepCheckpoints
    }
}

/// A loss that stopped being a number: the run ends, and the last good checkpoint is kept.
public struct NonFiniteLossError: Error, CustomStringConvertible {
    public var step: Int
    public var name: String
    public var value: Double
    public var lastCheckpoint: URL?
    public var description: String {
        "step \(step): \(name) is \(value); run stopped. " +
            (lastCheckpoint.map { "Last good checkpoint: \($0.path) (resume from it with a lower train.lr)" } ?? "No checkpoint was written yet.")
    }
}

/// The run machinery, written once for every kind of training: progress bar with loss, steps/s and
/// ETA; metrics as JSONL and TensorBoard events; a loss-curve picture; atomic checkpoints every N
/// steps keeping the last K; resume; Ctrl-C / SIGTERM → checkpoint and a clean exit.
public final class TrainingRun {
    public enum Outcome: Equatable, Sendable {
        /// All steps done and the products written.
        case finished
        /// Stopped by a signal after `step` steps, with a checkpoint at that step.
        case stopped(step: Int)
    }

    public let folder: RunFolder
    public let task: any TrainingTask
    public let intervals: RunIntervals
    /// Stored in every checkpoint (the resolved config, the run kind, …).
    public let metadata: [String: String]
    /// Stop after this many steps of this process (tests; nil = run to the end).
    public var stepLimit: Int?
    /// Stop with a checkpoint once this step is done, the schedule still running to the last step
    /// (`--stop-at`: a study arm or a slice of a long run; nil = run to the end).
    public var stopAtStep: Int?
    /// Held while this run may write its folder; dropped when `run` returns.
    var lock: RunLock?
    /// The job's ranks: every rank steps, rank 0 alone logs, checkpoints, evaluates and finishes.
    public var parallel = DataParallel.single
    private let checkpointer: Checkpointer

    public init(folder: RunFolder, task: any TrainingTask, intervals: RunIntervals, metadata: [String: String]) {
        self.folder = folder; self.task = task; self.intervals = intervals; self.metadata = metadata
        checkpointer = Checkpointer(folder: folder.checkpoints, keep: intervals.keepCheckpoints)
    }

    /// This run with `stopAtStep` set (the `--stop-at` option of the commands).
    public func stopping(at step: Int?) -> TrainingRun {
        stopAtStep = step
        return self
    }

    /// Restores the newest checkpoint into the task; returns its step.
    @discardableResult
    public func restoreLatest() throws -> Int {
        checkpointer.removeInterruptedWrites()
        let latest = try checkpointer.latest()
        try task.restore(from: latest.file, source: latest.url.path)
        task.origin = latest.file.metadata["origin"]
        guard task.step == latest.step else {
            throw CheckpointError(path: latest.url.path, message: "restored step \(task.step), file name says \(latest.step)")
        }
        return latest.step
    }

    /// Writes the run's products (the model file) from the restored checkpoint without training:
    /// a slice of a long schedule exported at its step, the recipe still naming the whole schedule.
    public func export() throws {
        defer { lock = nil }
        guard parallel.isRoot else { return }
        try task.finish(run: folder)
    }

    /// Runs (or, after `restoreLatest`, continues) to the last step.
    public func run(resumedAt resumedStep: Int? = nil) throws -> Outcome {
        let root = parallel.isRoot
        let metrics = root ? try MetricsLog(folder: folder.url, resumingAt: resumedStep) : nil
        defer { metrics?.close(); lock = nil }
        StopSignal.install()
        // The bar (and its ETA) runs to where this process will stop.
        let target = min(task.totalSteps, stopAtStep ?? .max)
        let progress = root ? ProgressBar(task.kind, total: target, startingAt: task.step)
            : ProgressBar(task.kind, total: target, interactive: false) { _ in }
        var lastCheckpoint: URL? = resumedStep.map { folder.checkpoints.appendingPathComponent(Checkpointer.fileName(step: $0)) }
        var stepsThisProcess = 0
        if let stopAt = stopAtStep, task.step >= stopAt, task.step < task.totalSteps {
            if root { FileHandle.standardError.write(Data("\(task.kind): already at step \(task.step) (--stop-at \(stopAt)); nothing to do\n".utf8)) }
            return .stopped(step: task.step)
        }

        func checkpoint() throws {
            guard root else { return }
            try checkpointer.save(step: task.step, tensors: task.checkpointState(), metadata: metadata.merging(["kind": task.kind, "origin": task.origin].compactMapValues { $0 }) { $1 })
            lastCheckpoint = folder.checkpoints.appendingPathComponent(Checkpointer.fileName(step: task.step))
        }
        func evaluate() throws {
            guard let metrics else { return }
            let values = try task.evaluate(run: folder, metrics: metrics)
            try metrics.log(step: task.step, values.map { ("eval/" + $0.0, $0.1) })
            try writeLossCurve()
        }

        while task.step < task.totalSteps {
            let (values, stop) = try parallel.agree(try task.trainStep(), stop: StopSignal.requested)
            stepsThisProcess += 1
            if let bad = values.first(where: { !$0.1.isFinite }) {
                progress.finish()
                throw NonFiniteLossError(step: task.step, name: bad.0, value: bad.1, lastCheckpoint: lastCheckpoint)
            }
            let step = task.step
            progress.update(step, status: values.prefix(1).map { String(format: "%@ %.4f", $0.0, $0.1) }.joined())
            if step % intervals.log == 0 { try metrics?.log(step: step, values.map { ("train/" + $0.0, $0.1) }) }
            let finished = step == task.totalSteps
            if step % intervals.checkpoint == 0 || finished || stop { try checkpoint() }
            if step % intervals.evaluate == 0 && !finished { try evaluate() }
            if stop {
                progress.finish()
                if root { FileHandle.standardError.write(Data("\(task.kind): stopped at step \(step); checkpoint \(lastCheckpoint?.path ?? "-") (continue with --resume)\n".utf8)) }
                return .stopped(step: step)
            }
            if !finished, stepLimit.map({ stepsThisProcess >= $0 }) == true || stopAtStep.map({ step >= $0 }) == true {
                try checkpoint()
                progress.finish()
                return .stopped(step: step)
            }
        }
        progress.finish()
        try evaluate()
        if root { try task.finish(run: folder) }
        return .finished
    }

    /// Redraws `loss.png` from everything in metrics.jsonl (so a resumed run's curve is whole):
    /// the training losses on a log scale, and below them the evaluation figures.
    func writeLossCurve() throws {
        let train = try MetricsHistory.series(in: folder.metricsFile, names: task.plottedLosses).filter { !$0.points.isEmpty }
        let evals = try MetricsHistory.series(in: folder.metricsFile, names: task.plottedEvaluations).filter { !$0.points.isEmpty }
        var panels: [ByteImage] = []
        if !train.isEmpty { panels.append(LossCurvePlot.render(train, title: "\(task.kind): training loss", logScale: true)) }
        if !evals.isEmpty { panels.append(LossCurvePlot.render(evals, title: "\(task.kind): evaluation", smoothing: 0)) }
        guard !panels.isEmpty else { return }
        let picture = panels.count == 1 ? panels[0] : try ByteImage.grid(panels, columns: 1, gap: 0)
        try PNGCodec.write(picture, to: folder.lossCurve)
    }
}

extension RunIntervals {
    /// A recipe's log and checkpoint intervals, with evaluations every `evaluate` steps.
    init(_ recipe: some OptimizationRecipe, evaluate: Int) {
        self.init(log: recipe.logEvery, checkpoint: recipe.checkpointEvery, evaluate: evaluate, keepCheckpoints: recipe.keepCheckpoints)
    }
}
