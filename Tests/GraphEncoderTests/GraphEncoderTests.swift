import NN
import Testing
import Tensors
@testable import GraphEncoder

@Suite struct GraphEncoderTests {
    /// Two images: image 0 has 3 objects (2 relations), image 1 has 2 objects (1 relation); each
    /// object also gets its __in_image__ triple to the image's __image__ object (class 0).
    static let batch = GraphBatch(
        objects: [3, 5, 7, 0, 2, 4, 0],
        triples: [0, 1, 1,  1, 2, 2,  0, 0, 3,  1, 0, 3,  2, 0, 3,   4, 3, 5,  4, 0, 6,  5, 0, 6],
        objectToImage: [0, 0, 0, 0, 1, 1, 1], tripleToImage: [0, 0, 0, 0, 0, 1, 1, 1], imageCount: 2)

    @Test func localTokensArePaddedAndTruncatedInOrder() {
        var rng = RandomGenerator(seed: 1)
        let config = GraphEncoderConfiguration(objectClasses: 8, predicateClasses: 4, dimension: 4, hidden: 8, layers: 2,
                                               globalDimension: 6, maxTriples: 4)
        let encoder = GraphEncoder(config, rng: &rng)
        var recorded: [String: Tensor] = [:]
        let out = GradMode.disabled { encoder(Self.batch, record: ActivationRecorder { recorded[$0] = $1 }) }
        #expect(out.local.shape == [2, 4, 12] && out.global.shape == [2, 6])
        // Image 0 has 5 triples: the first 4 (both relations first) are kept; image 1 has 3.
        #expect(out.mask == [true, true, true, true, true, true, true, false])
        let objects = recorded["layers.1"]!.scalars
        let local = out.local.scalars
        // Token 1 of image 0 is triple 1: subject 1, object 2.
        #expect(Array(local[12..<16]) == Array(objects[4..<8]))
        #expect(Array(local[20..<24]) == Array(objects[8..<12]))
        // The padding slot of image 1 is zero.
        #expect(local[(4 + 3) * 12..<(4 + 4) * 12].allSatisfy { $0 == 0 })
    }

    /// With PyTorch's default init the five layers' biases drowned the input: a graph and its copy
    /// with "left of" flipped to "right of" got global vectors at cosine 1.0000, and pretraining could
    /// not learn relations. Kaiming-normal layers keep them apart from the first step.
    @Test func initialGlobalVectorsSeparateAFlippedRelation() {
        let config = GraphEncoderConfiguration(objectClasses: 19, predicateClasses: 7)
        // "3 left of 5" (predicate 1) and its flip "3 right of 5" (predicate 2), with __in_image__ triples.
        func batch(_ predicate: Int) -> GraphBatch {
            GraphBatch(objects: [3, 5, 0], triples: [0, predicate, 1, 0, 0, 2, 1, 0, 2],
                       objectToImage: [0, 0, 0], tripleToImage: [0, 0, 0], imageCount: 1)
        }
        var cosines: [Float] = []
        for seed in 1...8 {
            var rng = RandomGenerator(seed: UInt64(seed))
            let encoder = GraphEncoder(config, rng: &rng)
            let (a, b) = GradMode.disabled { (l2Normalize(encoder(batch(1)).global).scalars, l2Normalize(encoder(batch(2)).global).scalars) }
            cosines.append(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 })
        }
        let mean = cosines.reduce(0, +) / Float(cosines.count)
        #expect(mean < 0.999, "mean cosine of a graph and its flipped copy at initialisation: \(mean)")
    }

    @Test func gradientsFlowThroughTripleConvolution() {
        var rng = RandomGenerator(seed: 2)
        let layer = TripleConv(dimension: 3, hidden: 4, rng: &rng)
        let s = Self.batch.subjects, o = Self.batch.targets
        let obj = Tensor.normal([7, 3], using: &rng), pred = Tensor.normal([8, 3], using: &rng)
        let check = GradientCheck.run([obj, pred], epsilon: 1e-3) { v in
            let (a, b) = layer(objects: v[0], predicates: v[1], subjects: s, objects: o)
            return concat([a.reshaped([-1]), b.reshaped([-1])], axis: 0)
        }
        #expect(check.maxError < 2e-3, "\(check.worst)")
    }
}
