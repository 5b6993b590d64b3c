import RunConfiguration
import Datasets
import Diffusion
import Foundation
import SceneGraphs
import ShapeWorld

/// A run's data as the `data` section names it: ShapeWorld rendered on the fly, or a prepared pack
/// (memory-mapped; images are not decoded again) with its own vocabulary and held-out split.
struct TrainingData {
    let data: DataConfiguration
    let pack: PackedDataset?

    /// Opens the pack when there is one; a real source without a pack is refused (it must be
    /// prepared first), as is a pack whose images are not the configured size.
    init(_ data: DataConfiguration) throws {
        self.data = data
        guard let path = data.pack else {
            guard data.source == .shapeworld else {
                throw ConfigurationError(source: "config", key: "data.source",
                                         message: "\(data.source.rawValue) is read from a prepared data set: prepare --config C --out data/NAME, then --data data/NAME")
            }
            pack = nil
            return
        }
        let opened = try PackedDataset(contentsOf: URL(fileURLWithPath: path))
        guard opened.size == data.size else {
            throw ConfigurationError(source: "config", key: "data.size",
                                     message: "\(data.size), but \(path) holds \(opened.size)×\(opened.size) images (prepare it again, or set data.size=\(opened.size))")
        }
        guard !opened.trainingIndices.isEmpty else {
            throw ConfigurationError(source: path, key: "data.pack", message: "holds no training examples (all \(opened.count) held out)")
        }
        pack = opened
    }

    /// What the run's graphs are made of.
    var vocabulary: Vocabulary { pack?.vocabulary ?? .shapeWorld }

    /// How errors name the data ("ShapeWorld", or the pack's path).
    var name: String { pack.map { $0.url.deletingLastPathComponent().path } ?? "ShapeWorld" }

    /// Refuses a model whose embeddings cannot hold the vocabulary.
    func check(objectClasses: Int, predicateClasses: Int) throws {
        let v = vocabulary
        guard objectClasses >= v.objectNames.count, predicateClasses >= v.predicateNames.count else {
            throw ConfigurationError(source: "config", key: "model.num_objects",
                                     message: "\(name) needs \(v.objectNames.count) object and \(v.predicateNames.count) predicate classes")
        }
    }

    /// The pack's training stream from its start (nil for ShapeWorld, rendered by `ShapeWorldBatches`).
    func packedBatches() -> PackedBatches? { pack.map { PackedBatches(dataset: $0, seed: data.seed) } }

    /// Up to `count` held-out examples of the pack, in file order (nil for ShapeWorld, whose
    /// held-out scenes are rendered from data.eval_seed): graphs and images as Float [3, S, S].
    func heldOut(_ count: Int) -> (graphs: [SceneGraph], pixels: [[Float]])? {
        guard let pack else { return nil }
        let chosen = pack.heldOutIndices.prefix(count), plane = pack.size * pack.size
        let pixels = chosen.map { i -> [Float] in
            var out = [Float](repeating: 0, count: 3 * plane)
            out.withUnsafeMutableBufferPointer { pack.planarImage(i, into: $0) }
            return out
        }
        return (chosen.map { pack.graphs[$0] }, pixels)
    }
}
