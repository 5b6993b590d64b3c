import Foundation
import GraphEncoder
import Testing
import Tensors
@testable import Diffusion

@Suite struct GuidedSamplingTests {
    // MARK: The guidance combination, on a fake denoiser

    /// A denoiser that answers 1 + x on conditional rows and −2·x on null-graph rows, and records batch sizes.
    final class FakeDenoiser {
        var batchSizes: [Int] = []
        func callAsFunction(_ input: Tensor, conditionalRows: Int) -> Tensor {
            batchSizes.append(input.shape[0])
            let perImage = input.count / input.shape[0]
            let xs = input.scalars
            return Tensor(shape: input.shape, scalars: xs.indices.map { j in j / perImage < conditionalRows ? 1 + xs[j] : -2 * xs[j] })
        }
    }

    @Test func scaleOneUsesOnlyTheConditionalBatch() {
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.normal([3, 2, 4, 4], using: &rng)
        let fake = FakeDenoiser()
        let eps = ClassifierFreeGuidance(scale: 1).epsilon(x) { fake($0, conditionalRows: 3) }
        #expect(fake.batchSizes == [3], "one call on the B images, no null half")
        #expect(eps.scalars == x.scalars.map { 1 + $0 })
    }

    @Test(arguments: [0.0, 2.0, 3.0, 7.5])
    func scaleCombinesConditionalAndNullInOneCall(scale: Double) {
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.normal([3, 2, 4, 4], using: &rng)
        let fake = FakeDenoiser()
        let eps = ClassifierFreeGuidance(scale: scale).epsilon(x) { fake($0, conditionalRows: 3) }
        #expect(fake.batchSizes == [6], "one call on [x; x]")
        let expected = x.scalars.map { v -> Float in
            let conditional = Double(1 + v), unconditional = Double(-2 * v)
            return Float(unconditional + scale * (conditional - unconditional))
        }
        #expect(eps.scalars == expected)
    }

    // MARK: End to end on the reference's tiny model

    @Test func anImageIsTheSameAloneOrInABatchOfSixteen() throws {
        let model = try ReferenceFixture().model()
        let schedule = DiffusionSetup(imageSize: 8).noiseSchedule
        let seeds: [UInt64] = (0..<16).map { 1000 + 7 * UInt64($0) }
        let objectClasses = model.configuration.encoder.objectClasses
        // DDIM with η = 1 draws per-step noise; DPM-Solver++ at guidance 1 runs the unguided batch.
        let settings: [(any Sampler, Double)] = [(DDIMSampler(steps: 3, eta: 1), 2.5), (DPMSolverPlusPlus2MSampler(steps: 3), 1)]
        for (sampler, guidance) in settings {
            let batch = try model.sample(graphs: sampleGraphs(Array(0..<16), objectClasses: objectClasses), seeds: seeds, sampler: sampler,
                                     guidance: ClassifierFreeGuidance(scale: guidance), schedule: schedule, imageSize: 8)
            #expect(batch.shape == [16, 3, 8, 8])
            #expect(batch.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
            let perImage = 3 * 8 * 8
            let all = batch.scalars
            for i in 0..<16 {
                let alone = try model.sample(graphs: sampleGraphs([i], objectClasses: objectClasses), seeds: [seeds[i]], sampler: sampler,
                                         guidance: ClassifierFreeGuidance(scale: guidance), schedule: schedule, imageSize: 8)
                #expect(alone.scalars == Array(all[(i * perImage)..<((i + 1) * perImage)]), "image \(i), guidance \(guidance)")
            }
            // …and the seed matters: two images from different seeds differ.
            #expect(Array(all[0..<perImage]) != Array(all[perImage..<(2 * perImage)]))
            // One UNet call for the whole batch computes the same images up to BLAS rounding.
            let whole = try model.sample(graphs: sampleGraphs(Array(0..<16), objectClasses: objectClasses), seeds: seeds, sampler: sampler,
                                     guidance: ClassifierFreeGuidance(scale: guidance), schedule: schedule, imageSize: 8, batching: .wholeBatch).scalars
            let worst = zip(whole, all).map { abs($0 - $1) }.max() ?? 0
            print("whole-batch vs per-image sampling, guidance \(guidance): largest difference \(worst)")
            #expect(worst < 1e-3)
        }
    }

    @Test func imageOfABatchIsThatGraphAlone() {
        let batch = sampleGraphs([4, 7, 2], objectClasses: 25)
        for (position, index) in [4, 7, 2].enumerated() {
            let alone = sampleGraphs([index], objectClasses: 25), cut = batch.image(position)
            #expect(cut.objects == alone.objects && cut.triples == alone.triples)
            #expect(cut.objectToImage == alone.objectToImage && cut.tripleToImage == alone.tripleToImage && cut.imageCount == 1)
        }
    }

    @Test func guidanceChangesTheImageAndSeedsReproduceIt() throws {
        let model = try ReferenceFixture().model()
        let graphs = sampleGraphs([0, 1], objectClasses: model.configuration.encoder.objectClasses)
        let sampler = DPMSolverPlusPlus2MSampler(steps: 4)
        func draw(_ guidance: Double) throws -> [Float] {
            try model.sample(graphs: graphs, seeds: [5, 6], sampler: sampler, guidance: ClassifierFreeGuidance(scale: guidance), schedule: DiffusionSetup(imageSize: 8).noiseSchedule, imageSize: 8).scalars
        }
        let plain = try draw(1), guided = try draw(3)
        #expect(try plain == draw(1), "same seeds, same images")
        #expect(plain != guided)
        var reported: [String] = []
        _ = try model.sample(graphs: graphs, seeds: [5, 6], sampler: sampler, guidance: ClassifierFreeGuidance(scale: 2), schedule: DiffusionSetup(imageSize: 8).noiseSchedule, imageSize: 8,
                         progress: { reported.append("\($0)/\($1)") })
        #expect(reported == ["1/4", "2/4", "3/4", "4/4"])
    }
}

/// The reference's example graphs (the PyTorch benchmark's `example_graphs`, docs/engine.md) for the chosen image indices: image b
/// has 2 + b % 3 objects in a chain plus `__image__`, with `__in_image__` triples from every object.
/// Graph b is the same graph whichever batch it is put in.
func sampleGraphs(_ indices: [Int], objectClasses: Int) -> GraphBatch {
    var objects: [Int] = [], triples: [Int] = [], objectToImage: [Int] = [], tripleToImage: [Int] = []
    for (image, b) in indices.enumerated() {
        let n = 2 + b % 3, base = objects.count
        for k in 0..<n { objects.append((1 + (5 * b + 3 * k) % 24) % objectClasses); objectToImage.append(image) }
        objects.append(0); objectToImage.append(image)
        for k in 0..<(n - 1) { triples += [base + k, 1 + (b + k) % 6, base + k + 1]; tripleToImage.append(image) }
        for k in 0..<n { triples += [base + k, 0, base + n]; tripleToImage.append(image) }
    }
    return GraphBatch(objects: objects, triples: triples, objectToImage: objectToImage, tripleToImage: tripleToImage,
                      imageCount: indices.count)
}
