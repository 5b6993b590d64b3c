import NN
import Tensors

/// A batch of scene graphs as index arrays, laid out as the reference expects: per image its
/// objects then `__image__`; triples with real relationships first, then `__in_image__`.
public struct GraphBatch: Sendable {
    /// Object class ids [O].
    public var objects: [Int]
    /// (subject index into objects, predicate id, object index into objects) flattened [T·3].
    public var triples: [Int]
    /// Image of each object [O] and of each triple [T].
    public var objectToImage: [Int]
    public var tripleToImage: [Int]
    public var imageCount: Int

    public init(objects: [Int], triples: [Int], objectToImage: [Int], tripleToImage: [Int], imageCount: Int) {
        require(triples.count % 3 == 0 && objectToImage.count == objects.count && tripleToImage.count == triples.count / 3,
                     "GraphBatch: inconsistent array sizes")
        self.objects = objects; self.triples = triples
        self.objectToImage = objectToImage; self.tripleToImage = tripleToImage; self.imageCount = imageCount
    }

    public var tripleCount: Int { triples.count / 3 }
    public var subjects: [Int] { stride(from: 0, to: triples.count, by: 3).map { triples[$0] } }
    public var predicates: [Int] { stride(from: 1, to: triples.count, by: 3).map { triples[$0] } }
    public var targets: [Int] { stride(from: 2, to: triples.count, by: 3).map { triples[$0] } }
}

/// What the encoder gives the denoiser.
public struct GraphEncoding {
    /// One token per triple, concat(subject, predicate, object) [B, maxTriples, 3D], zero-padded.
    public var local: Tensor
    /// True where `local` holds a real token [B·maxTriples].
    public var mask: [Bool]
    /// Linear(concat(mean objects, mean predicates)) [B, G].
    public var global: Tensor
    /// The last layer's object vectors [O, D], in the batch's object order (`__image__` included).
    public var objects: Tensor
}

/// Sizes of the scene-graph encoder.
public struct GraphEncoderConfiguration: Sendable, Equatable {
    public var objectClasses: Int, predicateClasses: Int
    public var dimension = 128, hidden = 256, layers = 5, globalDimension = 256, maxTriples = 15

    public init(objectClasses: Int, predicateClasses: Int, dimension: Int = 128, hidden: Int = 256, layers: Int = 5,
                globalDimension: Int = 256, maxTriples: Int = 15) {
        self.objectClasses = objectClasses; self.predicateClasses = predicateClasses
        self.dimension = dimension; self.hidden = hidden; self.layers = layers
        self.globalDimension = globalDimension; self.maxTriples = maxTriples
    }
}

/// Scene graph → local embeddings (one token per triple) and a global embedding (sg2im's triple
/// graph convolution, as SGDiff uses it).
public final class GraphEncoder: Module {
    public let configuration: GraphEncoderConfiguration
    public let objectEmbedding: Embedding
    public let predicateEmbedding: Embedding
    public let layers: ModuleList<TripleConv>
    public let globalProjection: Linear

    public init(_ c: GraphEncoderConfiguration, rng: inout RandomGenerator) {
        configuration = c
        objectEmbedding = Embedding(c.objectClasses, c.dimension, rng: &rng)
        predicateEmbedding = Embedding(c.predicateClasses, c.dimension, rng: &rng)
        layers = ModuleList((0..<c.layers).map { _ in TripleConv(dimension: c.dimension, hidden: c.hidden, rng: &rng) })
        globalProjection = Linear(2 * c.dimension, c.globalDimension, rng: &rng)
    }

    public var children: [(String, any Module)] {
        [("obj_embed", objectEmbedding), ("pred_embed", predicateEmbedding), ("layers", layers), ("global_proj", globalProjection)]
    }

    /// Encodes a batch; `record` receives each intermediate under the reference's module name.
    public func callAsFunction(_ batch: GraphBatch, record: ActivationRecorder? = nil) -> GraphEncoding {
        let s = batch.subjects, o = batch.targets
        var obj = objectEmbedding(batch.objects), pred = predicateEmbedding(batch.predicates)
        record?("obj_embed", obj); record?("pred_embed", pred)
        for (i, layer) in layers.items.enumerated() {
            (obj, pred) = layer(objects: obj, predicates: pred, subjects: s, objects: o, record: record?.scoped("layers.\(i)"))
        }
        let b = batch.imageCount
        let global = globalProjection(concat([meanPerImage(obj, batch.objectToImage, b), meanPerImage(pred, batch.tripleToImage, b)], axis: 1))
        record?("global_proj", global)
        let tokens = concat([indexSelect(obj, s), pred, indexSelect(obj, o)], axis: 1)
        // Slot of each triple in its image's padded row; triples past maxTriples are dropped in order.
        let maxT = configuration.maxTriples
        var filled = [Int](repeating: 0, count: b), slots: [Int] = [], kept: [Int] = []
        var mask = [Bool](repeating: false, count: b * maxT)
        for (i, img) in batch.tripleToImage.enumerated() where filled[img] < maxT {
            slots.append(img * maxT + filled[img]); kept.append(i)
            mask[img * maxT + filled[img]] = true
            filled[img] += 1
        }
        let width = tokens.shape[1]
        let keptTokens = kept.count == batch.tripleCount ? tokens : indexSelect(tokens, kept)
        let local = indexAdd(Tensor.zeros([b * maxT, width]), slots, keptTokens).reshaped([b, maxT, width])
        record?("", local)
        return GraphEncoding(local: local, mask: mask, global: global, objects: obj)
    }

    /// Mean of the rows of x belonging to each image (images without rows get zeros).
    func meanPerImage(_ x: Tensor, _ index: [Int], _ images: Int) -> Tensor {
        var counts = [Float](repeating: 0, count: images)
        for i in index { counts[i] += 1 }
        let inverse = Tensor(shape: [images, 1], scalars: counts.map { 1 / max($0, 1) })
        return indexAdd(Tensor.zeros([images, x.shape[1]]), index, x) * inverse
    }
}
