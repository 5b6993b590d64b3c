import Foundation

/// The folder of one training run: the resolved config, metrics, pictures and checkpoints.
public struct RunFolder: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var metricsFile: URL { url.appendingPathComponent("metrics.jsonl") }
    public var resolvedConfig: URL { url.appendingPathComponent("config.yaml") }
}
