import Diffusion
import Foundation
import GraphEncoder
import Media
import SceneGraphs
import Tensors

/// A loaded model ready to draw scene graphs: validates each graph against the model's vocabulary
/// and limits, batches the UNet work, and returns images at the model's size.
public final class GraphSampler {
    public let model: SceneGraphDiffusion
    public let vocabulary: Vocabulary
    public let validator: SceneGraphValidator
    /// The side of the images the model was trained on.
    public let imageSize: Int
    let schedule = NoiseSchedule.cosine()
    /// Images per UNet batch (guidance doubles it).
    public var batchSize = 16

    public init(model: SceneGraphDiffusion, vocabulary: Vocabulary, imageSize: Int) {
        self.model = model; self.vocabulary = vocabulary; self.imageSize = imageSize
        let maxTriples = model.configuration.encoder.maxTriples
        validator = SceneGraphValidator(vocabulary: vocabulary, maxObjects: maxTriples, maxTriples: maxTriples)
    }

    /// Loads a model file (see `ModelFile`); its image size is read from the metadata's data section.
    public convenience init(modelFile url: URL) throws {
        let (model, vocabulary, metadata) = try ModelFile.read(url)
        self.init(model: model, vocabulary: vocabulary, imageSize: Self.imageSize(recipe: metadata["recipe"]) ?? 32)
    }

    /// The `data.size` of a recipe JSON, if it has one.
    static func imageSize(recipe: String?) -> Int? {
        guard let recipe, let object = try? JSONSerialization.jsonObject(with: Data(recipe.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any], let size = data["size"] as? Int, size > 0 else { return nil }
        return size
    }

    /// Draws one image per (graph, seed); graphs must already be validated.
    public func images(_ requests: [(graph: SceneGraph, seed: UInt64)], settings: SampleSettings,
                       progress: ((Int) -> Void)? = nil) throws -> [ByteImage] {
        let sampler = settings.sampler.makeSampler()
        var images: [ByteImage] = []
        images.reserveCapacity(requests.count)
        for lower in stride(from: 0, to: requests.count, by: batchSize) {
            let part = requests[lower..<min(lower + batchSize, requests.count)]
            let batch = GraphBatch(try SceneGraphBatch(part.map(\.graph), vocabulary: vocabulary))
            let x = model.sample(graphs: batch, seeds: part.map(\.seed), sampler: sampler, guidance: settings.guidance,
                                 schedule: schedule, imageSize: imageSize)
            let per = x.count / part.count
            for i in 0..<part.count {
                let one = Tensor(shape: Array(x.shape.dropFirst()), scalars: Array(UnsafeBufferPointer(start: x.storage.pointer + i * per, count: per)))
                images.append(try ByteImage(tensor: one))
            }
            progress?(images.count)
        }
        return images
    }

    /// The factor that takes model-size images to `size` (nil = 1); refuses sizes that are not whole multiples.
    public func upscaleFactor(for size: Int?) throws -> Int {
        guard let size else { return 1 }
        guard size >= imageSize, size % imageSize == 0 else {
            throw SamplingError("--size \(size): must be a whole multiple of the model's image size \(imageSize) (e.g. \(imageSize * 8))")
        }
        return size / imageSize
    }
}

/// A user-facing sampling problem (bad option, bad output path).
public struct SamplingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
