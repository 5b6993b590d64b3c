import Foundation
import GraphEncoder
import Testing
import Tensors
@testable import Diffusion

@Suite struct RelationGuidanceTests {
    /// Rows answer by block: conditional 1 + x, null −2x, objects-only 3x (worked out by hand below).
    func fake(_ input: Tensor, rows: Int) -> Tensor {
        let perImage = input.count / input.shape[0], xs = input.scalars
        return Tensor(shape: input.shape, scalars: xs.indices.map { j in
            switch j / perImage / rows {
            case 0: 1 + xs[j]
            case 1: -2 * xs[j]
            default: 3 * xs[j]
            }
        })
    }

    @Test func relationGuidanceAddsTheObjectsOnlyRowsAsASecondNegative() {
        let x = Tensor(shape: [2, 1], scalars: [0.5, -1])
        var sizes: [Int] = []
        // g = 5, r = 2: ε = ε∅ + 5(εG − ε∅) + 2(εG − εO). At x = 0.5: εG 1.5, ε∅ −1, εO 1.5 → −1 + 12.5 + 0 = 11.5.
        // At x = −1: εG 0, ε∅ 2, εO −3 → 2 − 10 + 6 = −2.
        let both = ClassifierFreeGuidance(scale: 5, relationScale: 2).epsilon(x) { sizes.append($0.shape[0]); return fake($0, rows: 2) }
        #expect(both.scalars == [11.5, -2])
        // g = 1 skips the null rows: the objects-only rows come second. ε = εG + 2(εG − εO): 1.5 + 0 and 0 + 2·(0 − (−2))…
        let relationOnly = ClassifierFreeGuidance(scale: 1, relationScale: 2).epsilon(x) { sizes.append($0.shape[0]); return fake($0, rows: 2) }
        // …where the second block is "null" to the fake (−2x): at 0.5 εO = −1 → 1.5 + 2·2.5 = 6.5; at −1 εO = 2 → 0 + 2·(−2) = −4.
        #expect(relationOnly.scalars == [6.5, -4])
        #expect(sizes == [6, 4])
        #expect(ClassifierFreeGuidance(scale: 5, relationScale: 2).copies == 3 && ClassifierFreeGuidance(scale: 5).copies == 2)
    }

    @Test func objectsOnlyKeepsTheObjectsAndDropsTheRelationships() {
        // Two images: image 0 has objects 0, 1 and a relation 0 → 1; image 1 has object 3. Objects 2 and 4 are `__image__`.
        let batch = GraphBatch(objects: [5, 6, 0, 7, 0], triples: [0, 3, 1, 0, 0, 2, 1, 0, 2, 3, 0, 4],
                               objectToImage: [0, 0, 0, 1, 1], tripleToImage: [0, 0, 0, 1], imageCount: 2)
        let objects = batch.objectsOnly
        #expect(objects.objects == batch.objects && objects.objectToImage == batch.objectToImage)
        #expect(objects.triples == [0, 0, 2, 1, 0, 2, 3, 0, 4])
        #expect(objects.tripleToImage == [0, 0, 1])
    }

    /// End to end on a tiny model: r changes the image, r = 0 is exactly plain guidance.
    @Test func relationGuidanceChangesImagesAndZeroIsPlainGuidance() throws {
        var rng = RandomGenerator(seed: 4)
        let model = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 0), rng: &rng)
        let graphs = GraphBatch(objects: [1, 2, 0], triples: [0, 1, 1, 0, 0, 2, 1, 0, 2], objectToImage: [0, 0, 0], tripleToImage: [0, 0, 0], imageCount: 1)
        let sampler = DDIMSampler(steps: 3)
        func draw(_ r: Double?) throws -> [Float] {
            if let r {
                return try model.sample(graphs: graphs, seeds: [1], sampler: sampler, guidance: ClassifierFreeGuidance(scale: 3, relationScale: r), schedule: DiffusionSetup(imageSize: 8).noiseSchedule, imageSize: 8).scalars
            }
            return try model.sample(graphs: graphs, seeds: [1], sampler: sampler, guidance: ClassifierFreeGuidance(scale: 3), schedule: DiffusionSetup(imageSize: 8).noiseSchedule, imageSize: 8).scalars
        }
        #expect(try draw(0) == draw(nil))
        let difference = zip(try draw(2), try draw(0)).map { abs($0 - $1) }.max()!
        #expect(difference > 1e-3, "largest difference \(difference)")
    }
}
