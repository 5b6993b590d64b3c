import RunConfiguration
import Foundation
import GraphEncoder
import Pipeline
import SceneGraphs
import ShapeWorld
import Tensors

/// How well pretrained graph vectors pick out their images, on held-out pairs (a data seed
/// training never draws): graph→image and image→graph recall at 1 and 5 in pools of 100, and
/// relation-swap accuracy — the true graph scores above its one-predicate-flipped copy for its
/// image, which a bag-of-objects encoder cannot do better than chance; and mirror accuracy — for a
/// graph with a left/right relation its image scores above the image mirrored left to right, which
/// an image encoder that ignores where things are cannot do better than chance.
final class RetrievalEvaluation {
    let graphs: [SceneGraph]
    let pixels: [[Float]]
    let size: Int
    let vocabulary: Vocabulary
    let pool = 100

    init(pairs: Int, data: DataConfiguration, vocabulary: Vocabulary) {
        let renderer = data.renderer
        var graphs: [SceneGraph] = [], pixels: [[Float]] = []
        var batches = ShapeWorldBatches(renderer: renderer, seed: data.evalSeed)
        for _ in 0..<pairs {
            let (p, g) = batches.next(1)
            graphs.append(g[0]); pixels.append(p)
        }
        self.graphs = graphs; self.pixels = pixels; self.size = data.size; self.vocabulary = vocabulary
    }

    /// Held-out pairs of a prepared data set.
    init(graphs: [SceneGraph], pixels: [[Float]], size: Int, vocabulary: Vocabulary) {
        self.graphs = graphs; self.pixels = pixels; self.size = size; self.vocabulary = vocabulary
    }

    func run(_ model: PretrainingModel) throws -> [(String, Double)] {
        guard !graphs.isEmpty else { return [] }
        return try GradMode.disabled {
            let g = try graphVectors(model, graphs)
            let v = imageVectors(model)
            let graphToImage = PooledRecall.rates(g, v, pool: pool), imageToGraph = PooledRecall.rates(v, g, pool: pool)
            // Relation swap: each pair with a flippable relation, its first one flipped.
            let swappable = graphs.indices.filter { !graphs[$0].flippableRelationships.isEmpty }
            let flipped = try graphVectors(model, swappable.map { graphs[$0].flippingPredicate(at: graphs[$0].flippableRelationships[0]) })
            var swapWins = 0
            for (k, i) in swappable.enumerated() where PooledRecall.dot(g, i, v, i) > PooledRecall.dot(flipped, k, v, i) { swapWins += 1 }
            let mirrorable = graphs.indices.filter { graphs[$0].hasHorizontalRelation }
            let mirrored = imageVectors(model, mirroredImages(Array(pixels.joined()), indices: mirrorable,
                                                              channels: 3, size: size))
            var mirrorWins = 0
            for (k, i) in mirrorable.enumerated() where PooledRecall.dot(g, i, v, i) > PooledRecall.dot(g, i, mirrored, k) { mirrorWins += 1 }
            func rate(_ n: Int, _ d: Int) -> Double { d == 0 ? 0 : Double(n) / Double(d) }
            return [("r1_graph_to_image", graphToImage.atOne), ("r5_graph_to_image", graphToImage.atFive),
                    ("r1_image_to_graph", imageToGraph.atOne), ("r5_image_to_graph", imageToGraph.atFive),
                    ("relation_swap_accuracy", rate(swapWins, swappable.count)),
                    ("mirror_accuracy", rate(mirrorWins, mirrorable.count))]
        }
    }

    /// L2-normalised global graph vectors [N, G], encoded in chunks.
    func graphVectors(_ model: PretrainingModel, _ list: [SceneGraph]) throws -> Tensor {
        guard !list.isEmpty else { return Tensor.zeros([0, model.encoder.configuration.globalDimension]) }
        var parts: [Tensor] = []
        for lower in stride(from: 0, to: list.count, by: 100) {
            let chunk = Array(list[lower..<min(lower + 100, list.count)])
            parts.append(model.encoder(try GraphBatch(chunk, vocabulary: vocabulary)).global)
        }
        return l2Normalize(concat(parts, axis: 0))
    }

    /// L2-normalised global image vectors [N, G] of the held-out images, or of `flat` [N, 3, S, S].
    func imageVectors(_ model: PretrainingModel, _ flat: [Float]? = nil) -> Tensor {
        let plane = 3 * size * size
        let all = flat ?? Array(pixels.joined()), count = all.count / plane
        guard count > 0 else { return Tensor.zeros([0, model.encoder.configuration.globalDimension]) }
        var parts: [Tensor] = []
        for lower in stride(from: 0, to: count, by: 100) {
            let upper = min(lower + 100, count)
            let images = Tensor(shape: [upper - lower, 3, size, size], scalars: Array(all[(lower * plane)..<(upper * plane)]))
            parts.append(model.imageEncoder.global(model.imageEncoder.encode(model.imageEncoder.embed(images))))
        }
        return l2Normalize(concat(parts, axis: 0))
    }
}
