import Foundation

/// A model file a new run starts from (`train --init`): its weights, and one line on where they
/// came from for the provenance of what the run writes — so a model trained in stages still says
/// what it was trained from.
public struct StartingModel {
    public let model: SceneGraphDiffusion
    /// The file's path, for errors.
    public let source: String
    /// "weights/shapes32.safetensors (trained with …, 9000 steps; EMA weights)".
    public let lineage: String

    /// Reads the model file at `url` (every error names it). The lineage names the file as the
    /// user gave it (`relativePath`), so a shipped model's provenance carries no machine's folders.
    public init(reading url: URL) throws {
        let contents = try ModelFile.read(url)
        let metadata = contents.metadata
        self.model = contents.model
        source = url.relativePath
        lineage = "\(source) (\(metadata["provenance"] ?? "\(metadata["steps"] ?? "?") steps, no provenance"))"
    }
}
