import Diffusion
import Foundation
import GraphEncoder
import Media
import NN
import SceneGraphs
import Tensors

/// The learned graph–image score: the cosine between a graph's global vector and an image's, from
/// the pair of encoders that masked-contrastive pretraining trained against each other (a pretrain
/// run's `encoder.safetensors`). It needs no checker, so it works on any data: best-of-N picks by
/// it (`mirrorAveragedScores`), and evaluations report retrieval and Fréchet figures
/// from it.
public final class GraphImageScorer {
    public let graphEncoder: GraphEncoder
    public let imageEncoder: ImageEncoder
    public let vocabulary: Vocabulary
    /// The file it was read from, for messages.
    public let source: String

    /// Reads a pretrain run's `encoder.safetensors`. A file without the image encoder (written before
    /// it was kept) or with sizes that do not fit is one error naming the file.
    public init(file url: URL) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw ModelFileError(path: path, message: "no such encoder file") }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw ModelFileError(path: path, message: "not a readable safetensors file (\(String(describing: error).replacingOccurrences(of: path + ": ", with: "")))")
        }
        guard file.metadata["format"] == "scene-graph-encoder/1", let configText = file.metadata["config"], let vocabText = file.metadata["vocab"] else {
            throw ModelFileError(path: path, message: "not a pretrained encoder file (pretrain's encoder.safetensors: format scene-graph-encoder/1 with config and vocab)")
        }
        guard let imageText = file.metadata["image_encoder"] else {
            throw ModelFileError(path: path, message: "has the graph encoder but not its image encoder (written before pretrain kept it; `pretrain --resume --out RUN --export` rewrites it from the run's checkpoint)")
        }
        do {
            let configuration = try ModelConfiguration.parse(yaml: configText, source: path + " metadata")
            let image = try ImageEncoderConfiguration(json: imageText)
            guard image.globalDimension == configuration.encoder.globalDimension else {
                throw ModelFileError(path: path, message: "image_encoder.global_dimension differs from the graph encoder's G \(configuration.encoder.globalDimension)")
            }
            vocabulary = try Vocabulary(json: Data(vocabText.utf8), source: path + " metadata")
            var rng = RandomGenerator(seed: 0)
            graphEncoder = GraphEncoder(configuration.encoder, rng: &rng)
            imageEncoder = ImageEncoder(image, rng: &rng)
        } catch let error as ModelFileError { throw error } catch {
            throw ModelFileError(path: path, message: "its metadata does not parse: \(error)")
        }
        try graphEncoder.loadParameters(from: file, prefix: "encoder.", source: path)
        try imageEncoder.loadParameters(from: file, prefix: "image_encoder.", source: path)
        source = path
    }

    /// An error unless every object and predicate of `vocabulary` is one this scorer's encoder knows
    /// and images of side `imageSize` are what its image encoder reads.
    public func check(fits vocabulary: Vocabulary, imageSize: Int) throws {
        let objects = Set(self.vocabulary.objectNames), predicates = Set(self.vocabulary.predicateNames)
        let unknown = vocabulary.objectNames.filter { !objects.contains($0) } + vocabulary.predicateNames.filter { !predicates.contains($0) }
        guard unknown.isEmpty else {
            throw SamplingError("\(source): the scorer's vocabulary lacks \(unknown.prefix(5).map { "\"\($0)\"" }.joined(separator: ", "))\(unknown.count > 5 ? " and \(unknown.count - 5) more" : ""): it was pretrained on other data than the model")
        }
        guard imageSize == imageEncoder.configuration.imageSize else {
            throw SamplingError("\(source): the scorer reads \(imageEncoder.configuration.imageSize)×\(imageEncoder.configuration.imageSize) images, the model draws \(imageSize)×\(imageSize)")
        }
    }

    /// Unit-length global vectors [N, G] of the graphs (by names, through this scorer's vocabulary).
    public func graphVectors(_ graphs: [SceneGraph]) throws -> Tensor {
        try GradMode.disabled {
            var parts: [Tensor] = []
            for lower in stride(from: 0, to: graphs.count, by: Self.chunk) {
                let chunk = Array(graphs[lower..<min(lower + Self.chunk, graphs.count)])
                parts.append(graphEncoder(try GraphBatch(chunk, vocabulary: vocabulary)).global)
            }
            return parts.isEmpty ? Tensor.zeros([0, graphEncoder.configuration.globalDimension]) : l2Normalize(concat(parts, axis: 0))
        }
    }

    /// Unit-length global vectors [N, G] of the images (RGB, the image encoder's size), or of the
    /// images mirrored left to right.
    public func imageVectors(_ images: [ByteImage], mirrored: Bool = false) throws -> Tensor {
        let c = imageEncoder.configuration
        for image in images where image.width != c.imageSize || image.height != c.imageSize || image.channels != c.inChannels {
            throw SamplingError("\(source): the scorer reads \(c.imageSize)×\(c.imageSize) images with \(c.inChannels) channels, got \(image.width)×\(image.height)×\(image.channels)")
        }
        return GradMode.disabled {
            var parts: [Tensor] = []
            for lower in stride(from: 0, to: images.count, by: Self.chunk) {
                let chunk = images[lower..<min(lower + Self.chunk, images.count)]
                var batch = concat(chunk.map { $0.tensor().reshaped([1, c.inChannels, c.imageSize, c.imageSize]) }, axis: 0)
                if mirrored {
                    batch = Tensor(shape: batch.shape, scalars: mirroredImages(batch.scalars, indices: Array(0..<chunk.count), channels: c.inChannels, size: c.imageSize))
                }
                parts.append(imageEncoder.global(imageEncoder.encode(imageEncoder.embed(batch))))
            }
            return parts.isEmpty ? Tensor.zeros([0, c.globalDimension]) : l2Normalize(concat(parts, axis: 0))
        }
    }

    /// The score of each (graph, image) pair: the cosine of their global vectors, in [−1, 1].
    public func scores(graphs: [SceneGraph], images: [ByteImage]) throws -> [Float] {
        guard graphs.count == images.count else { throw SamplingError("scores: \(graphs.count) graphs for \(images.count) images") }
        let g = try graphVectors(graphs), v = try imageVectors(images)
        return (0..<graphs.count).map { PooledRecall.dot(g, $0, v, $0) }
    }

    /// The score of each pair averaged with the score of its mirror image — the image mirrored left
    /// to right against the graph with "left of" and "right of" swapped (`SceneGraph.mirrored`), a
    /// pair as true as the first. The encoders judge left and right from either side, and the mean
    /// of the two readings ranks candidates better than one (best of N keeps by it).
    public func mirrorAveragedScores(graphs: [SceneGraph], images: [ByteImage]) throws -> [Float] {
        guard graphs.count == images.count else { throw SamplingError("mirror-averaged scores: \(graphs.count) graphs for \(images.count) images") }
        let g = try graphVectors(graphs), v = try imageVectors(images)
        let gm = try graphVectors(graphs.map(\.mirrored)), vm = try imageVectors(images, mirrored: true)
        return (0..<graphs.count).map { (PooledRecall.dot(g, $0, v, $0) + PooledRecall.dot(gm, $0, vm, $0)) / 2 }
    }

    static let chunk = 64
}
