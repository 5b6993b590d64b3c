import Foundation
import GraphEncoder
import Testing
import Tensors
@testable import Diffusion

@Suite struct ObjectGuidanceTests {
    /// Image 0: objects 0, 1, 2 (3 is `__image__`), relations 0→1 and 1→2, then the three `__in_image__`
    /// triples; image 1: object 4 (5 is `__image__`) and its `__in_image__` triple.
    static let graphs = GraphBatch(objects: [1, 2, 1, 0, 2, 0],
                                   triples: [0, 1, 1, 1, 2, 2, 0, 0, 3, 1, 0, 3, 2, 0, 3, 4, 0, 5],
                                   objectToImage: [0, 0, 0, 0, 1, 1], tripleToImage: [0, 0, 0, 0, 0, 1], imageCount: 2)

    static func frozenModel() -> SceneGraphDiffusion {
        var rng = RandomGenerator(seed: 11)
        let model = SceneGraphDiffusion(TemporalTransformerTests.configuration(frames: 0), rng: &rng)
        model.setRequiresGrad(false)
        return model
    }

    @Test func theSlotsAreThoseOfEachImagesObjectTokens() {
        #expect(SceneGraphDiffusion.objectSlots(Self.graphs, maxTriples: 6) == [[2, 3, 4], [0]])
        // Past max_triples a triple has no token: image 0 keeps its relations and one object token.
        #expect(SceneGraphDiffusion.objectSlots(Self.graphs, maxTriples: 3) == [[2], [0]])
    }

    /// The gradient is the loss's: central differences at the 24 pixels of largest gradient and
    /// along a random direction.
    @Test func theGradientIsTheLossesAndTheEpsilonTheUNets() throws {
        let model = Self.frozenModel()
        var rng = RandomGenerator(seed: 12)
        let x = Tensor.normal([2, 3, 8, 8], using: &rng)
        let context = model.context(Self.graphs)
        let slots = SceneGraphDiffusion.objectSlots(Self.graphs, maxTriples: 6)
        let (epsilon, gradient) = model.objectGuidance(x, t: 800, context: context, slots: slots)
        let largest = gradient.scalars.map(abs).max()!
        #expect(largest > 1e-6, "largest gradient element \(largest)")
        func loss(_ input: Tensor) -> Double {
            Double(GradMode.disabled { model.objectLoss(input, t: 800, context: context, slots: slots).loss!.item })
        }
        func centralDifference(along v: [Float], h: Float) -> Double {
            let xs = x.scalars
            let plus = Tensor(shape: x.shape, scalars: zip(xs, v).map { $0 + h * $1 })
            let minus = Tensor(shape: x.shape, scalars: zip(xs, v).map { $0 - h * $1 })
            return (loss(plus) - loss(minus)) / Double(2 * h)
        }
        let g = gradient.scalars
        for j in g.indices.sorted(by: { abs(g[$0]) > abs(g[$1]) }).prefix(24) {
            var v = [Float](repeating: 0, count: g.count)
            v[j] = 1
            let numeric = centralDifference(along: v, h: 1e-2)
            #expect(abs(numeric - Double(g[j])) <= 0.02 * Double(largest), "pixel \(j): numeric \(numeric), gradient \(g[j])")
        }
        let direction = Tensor.normal(x.shape, using: &rng).scalars
        let along = zip(g, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let numeric = centralDifference(along: direction, h: 1e-3)
        #expect(abs(numeric - along) <= 0.02 * abs(along), "along a random direction: numeric \(numeric), gradient \(along)")
        // Image 1's loss does not reach image 0's pixels and the reverse: the two images' gradients are their own.
        let alone = model.objectGuidance(x.slice(axis: 0, 1..<2), t: 800, context: context.rows([1]), slots: [slots[1]])
        let secondImage = Array(gradient.scalars[192...])
        #expect(zip(alone.gradient.scalars, secondImage).allSatisfy { abs($0 - $1) <= 1e-4 * largest })
        // The conditional ε is the UNet's (the recorded path, up to rounding order).
        let plain = GradMode.disabled { model.unet(x, timesteps: [800, 800], context: context.tokens, mask: context.mask, global: context.global) }
        #expect(zip(epsilon.scalars, plain.scalars).map { abs($0 - $1) }.max()! < 1e-5)
    }

    @Test func aKnownConditionalEpsilonIsCombinedAsIfTheDenoiserHadMadeIt() {
        let x = Tensor(shape: [2, 1], scalars: [0.5, -1])
        let cfg = ClassifierFreeGuidance(scale: 5, relationScale: 2)
        let whole = cfg.epsilon(x) { RelationGuidanceTests().fake($0, rows: 2) }
        var rows: [Int] = []
        let conditional = Tensor(shape: [2, 1], scalars: [1.5, 0])                      // 1 + x, the fake's first block
        let known = cfg.epsilon(x, conditional: conditional) { input in
            rows.append(input.shape[0])
            // The fake's null and objects-only blocks (−2x, 3x), now the first and second.
            let xs = input.scalars
            return Tensor(shape: input.shape, scalars: xs.indices.map { $0 < 2 ? -2 * xs[$0] : 3 * xs[$0] })
        }
        #expect(known.scalars == whole.scalars && rows == [4])
        #expect(ClassifierFreeGuidance(scale: 1).epsilon(x, conditional: conditional) { _ in Tensor.zeros([0]) }.scalars == conditional.scalars)
    }

    /// End to end: object guidance changes the images, at scale 0 they are plain guidance's bit for
    /// bit, and an image is the same drawn alone or beside another.
    @Test func objectGuidanceChangesImagesPerImageAndZeroIsNone() throws {
        let model = Self.frozenModel()
        let sampler = DDIMSampler(steps: 3), schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        func draw(_ graphs: GraphBatch, seeds: [UInt64], object o: Double?) throws -> [Float] {
            let cfg = o.map { ClassifierFreeGuidance(scale: 3, relationScale: 1, cutoff: 0.5, objectScale: $0) }
                ?? ClassifierFreeGuidance(scale: 3, relationScale: 1, cutoff: 0.5)
            return try model.sample(graphs: graphs, seeds: seeds, sampler: sampler, guidance: cfg, schedule: schedule, imageSize: 8).scalars
        }
        #expect(try draw(Self.graphs, seeds: [1, 2], object: 0) == draw(Self.graphs, seeds: [1, 2], object: nil))
        let guided = try draw(Self.graphs, seeds: [1, 2], object: 500)
        let difference = zip(guided, try draw(Self.graphs, seeds: [1, 2], object: 0)).map { abs($0 - $1) }.max()!
        #expect(difference > 1e-3, "largest difference \(difference)")
        #expect(Array(guided[192...]) == (try draw(Self.graphs.image(1), seeds: [2], object: 500)))
    }
}
