import RunConfiguration
import Datasets
import Diffusion
import Foundation

/// `prepare`'s options: a config whose `data` section names a real data set (overrides applied),
/// turned into one prepared folder — the pack `train --data` and `pretrain --data` read.
public struct PrepareLaunch {
    public var config: URL
    public var out: URL
    public var overrides: [String]

    public init(config: URL, out: URL, overrides: [String]) {
        self.config = config; self.out = out; self.overrides = overrides
    }

    /// The preparation the config asks for; errors name the file (or override), line and key.
    public func options() throws -> PreparationOptions {
        let file = try ConfigFile(url: config, overrides: overrides)
        let data = try file.read { try DataConfiguration.parse(root: $0, source: $1) }
        guard data.source != .shapeworld else {
            throw ConfigurationError(source: file.source, key: "data.source",
                                     message: "is shapeworld: scenes are rendered while training, nothing to prepare (set data.source to coco, vg or folder)")
        }
        if data.pack != nil {
            throw ConfigurationError(source: file.source, key: "data.pack", message: "names a prepared data set to train on; prepare writes one to --out")
        }
        // Checked by the parser for a real source without a pack.
        let annotations = URL(fileURLWithPath: data.annotations!)
        let images = data.images.map { URL(fileURLWithPath: $0) } ?? annotations.deletingLastPathComponent()
        var options = PreparationOptions(source: data.source, annotations: [annotations] + (data.stuff.map { [URL(fileURLWithPath: $0)] } ?? []),
                                         images: images, size: data.size, objectsPerImage: data.minObjects...data.maxObjects)
        options.minimumObjectArea = data.minObjectArea
        options.minimumObjectCount = data.minObjectCount
        options.minimumPredicateCount = data.minPredicateCount
        options.heldOutShare = data.heldOut
        options.seed = data.seed
        return options
    }

    /// Prepares the data set into `out` (its parent, e.g. `data/`, created if absent), with a progress bar.
    public func run() throws -> PreparationReport {
        let options = try options()
        try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try DatasetPreparation.run(options, out: out)
    }
}
