import RunLogging
import Foundation
import NN

/// One kind of training (pretraining the graph encoder, training the denoiser, training temporal
/// layers) as the shared run machinery drives it: step, save, restore, evaluate, finish.
public protocol TrainingTask: AnyObject {
    /// Optimisation steps completed.
    var step: Int { get }
    /// Steps the run is to take in all.
    var totalSteps: Int { get }
    /// What checkpoints and weights say this run is ("train", "pretrain", …).
    var kind: String { get }
    /// Takes one optimisation step; returns the values to log, the loss first.
    func trainStep() throws -> [(String, Double)]
    /// All state needed to continue bit for bit, by name.
    func checkpointState() -> [String: SafeTensor]
    /// Restores what `checkpointState` saved; every mismatch is one error naming `source`.
    func restore(from file: SafeTensorsFile, source: String) throws
    /// Measures the model; may write pictures into the run folder and log images.
    func evaluate(run: RunFolder, metrics: MetricsLog) throws -> [(String, Double)]
    /// Writes the run's products (weights) when the last step is done.
    func finish(run: RunFolder) throws
    /// The training series of the loss curve ("train/loss", …), drawn on a log scale.
    var plottedLosses: [String] { get }
    /// The evaluation series drawn under the loss curve ("eval/recall", …).
    var plottedEvaluations: [String] { get }
    /// What a fresh run's weights started from ("continued from FILE (its provenance)"), ending
    /// the provenance of what `finish` writes; nil for random weights. The run machinery keeps it
    /// in every checkpoint and sets it back on resume.
    var origin: String? { get set }
}
