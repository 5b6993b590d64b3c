import RunLogging
import Foundation
@testable import Training

/// A model and recipe small enough to train a few steps in a test.
enum TinyRun {
    static let config = """
    model:
      channels: 16
      mult: [1, 1]
      num_res: 1
      attn_levels: [1]
      heads: 2
      context_dim: 16
      norm_groups: 4
      D: 8
      H: 16
      layers: 1
      G: 16
    train:
      batch: 2
      warmup: 2
      log_every: 1
      checkpoint_every: 3
      keep_checkpoints: 2
      sample_every: 1000
      eval_graphs: 0
    data:
      size: 16
    """

    static func folder(_ name: String) -> URL {
        URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tinyrun-\(name)-\(UUID().uuidString)")
    }

    /// `name` inside `folder` as a relative URL (relativePath "name"), the way a command-line path
    /// relative to the working folder arrives.
    static func relative(_ name: String, in folder: URL) -> URL {
        URL(fileURLWithPath: name, relativeTo: URL(fileURLWithPath: folder.path, isDirectory: true))
    }

    /// Writes the config next to `folder` and returns its URL.
    static func configFile(near folder: URL, text: String = config) throws -> URL {
        let url = folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + ".yaml")
        try Data(text.utf8).write(to: url)
        return url
    }

    /// The train/loss values logged in a run folder, in step order.
    static func losses(_ folder: URL) throws -> [Double] {
        try MetricsHistory.series(in: folder.appendingPathComponent("metrics.jsonl"), names: ["train/loss"]).first?.points.map(\.value) ?? []
    }
}
