import Foundation
import Media
import SceneGraphs
import Tensors

/// What the learned encoders say about generated images, for data with no exact checker (SGDiff's
/// retrieval view of faithfulness): graph→image recall at 1 and 5 among pools of 100 generated
/// images, the mean graph–image score of the matched pairs, and the Fréchet distance between the
/// image encoder's vectors of generated and of real images.
public struct LearnedScoreFigures: Sendable, Equatable {
    /// Graph→image R@1 and R@5 (nil with fewer than `pool` images).
    public var recallAt1: Double?, recallAt5: Double?
    /// Mean cosine of each graph with its own image.
    public var meanScore: Double
    /// Fréchet distance to the real images' vectors (nil without ≥ 2 real images).
    public var frechetDistance: Double?
    /// Images scored.
    public var images: Int

    /// Graphs are matched within consecutive pools of this many images (a remainder is left out).
    public static let pool = 100

    /// Scores `images`[i] against `graphs`[i]; `real` images (any count ≥ 2) give the Fréchet distance.
    public init(scorer: GraphImageScorer, graphs: [SceneGraph], images: [ByteImage], real: [ByteImage] = []) throws {
        guard graphs.count == images.count, !images.isEmpty else { throw SamplingError("learned figures: \(graphs.count) graphs for \(images.count) images") }
        let g = try scorer.graphVectors(graphs), v = try scorer.imageVectors(images)
        var total = 0.0
        for i in 0..<images.count { total += Double(PooledRecall.dot(g, i, v, i)) }
        meanScore = total / Double(images.count)
        self.images = images.count
        if images.count >= Self.pool { (recallAt1, recallAt5) = PooledRecall.rates(g, v, pool: Self.pool) }
        if real.count >= 2 && images.count >= 2 {
            let r = try scorer.imageVectors(real), d = v.shape[1]
            frechetDistance = FrechetDistance.between(v.scalars, rows: images.count, r.scalars, rows: real.count, dimension: d)
        }
    }

    /// The figures as (name, value) pairs, for metrics logs; absent ones are left out.
    public var named: [(String, Double)] {
        [("learned_r1_graph_to_image", recallAt1), ("learned_r5_graph_to_image", recallAt5), ("learned_mean_score", meanScore),
         ("learned_frechet_distance", frechetDistance)].compactMap { name, value in value.map { (name, $0) } }
    }

    /// JSON members (without braces) for a metrics file.
    public var jsonMembers: String {
        named.map { "\"\($0.0)\": " + String(format: "%.4f", $0.1) }.joined(separator: ", ")
    }
}
