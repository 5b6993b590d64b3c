import Diffusion
import Foundation
import GraphEncoder
import Media
import SceneGraphs
import Tensors

/// The one way from a model file to pictures: a loaded model with its vocabulary and its
/// `DiffusionSetup`; it validates graphs against the model's vocabulary and limits, checks
/// settings, and draws images (`images`) or clips (`clip`), with progress and cancellation.
/// `sample`, batch jobs, the training evaluations and `bench sample` all draw through it.
public final class DiffusionPipeline {
    public let model: SceneGraphDiffusion
    public let vocabulary: Vocabulary
    public let validator: SceneGraphValidator
    /// How the model samples: schedule, T, prediction, image size (from its file).
    public let setup: DiffusionSetup
    /// The noise schedule of `setup`.
    public let schedule: NoiseSchedule
    /// Model file metadata (provenance, steps, recipe); empty for a model built in memory.
    public let metadata: [String: String]
    /// Images per UNet batch (guidance doubles it); images do not depend on it.
    public var batchSize = 16
    /// The learned graph–image score that best-of-N keeps candidates by (`use(scorer:)`); nil = none loaded.
    public private(set) var scorer: GraphImageScorer?

    /// The side of the images the model was trained on.
    public var imageSize: Int { setup.imageSize }

    /// A pipeline over a model in memory; its weights are frozen (a pipeline only samples, and object
    /// guidance differentiates through the model with respect to its input alone).
    public init(model: SceneGraphDiffusion, vocabulary: Vocabulary, setup: DiffusionSetup, metadata: [String: String] = [:]) {
        model.setRequiresGrad(false)
        self.model = model; self.vocabulary = vocabulary; self.setup = setup; self.metadata = metadata
        schedule = setup.noiseSchedule
        let maxTriples = model.configuration.encoder.maxTriples
        validator = SceneGraphValidator(vocabulary: vocabulary, maxObjects: maxTriples, maxTriples: maxTriples)
    }

    /// Loads a model file (`ModelFile`): weights, vocabulary and how to sample it.
    public convenience init(modelFile url: URL) throws {
        let contents = try ModelFile.read(url)
        self.init(model: contents.model, vocabulary: contents.vocabulary, setup: contents.setup, metadata: contents.metadata)
    }

    /// Makes `scorer` the one best-of-N ranks by, after checking it reads this model's graphs and images.
    public func use(scorer: GraphImageScorer) throws {
        try scorer.check(fits: vocabulary, imageSize: imageSize)
        self.scorer = scorer
    }

    /// Draws one image per (graph, seed); graphs must already be validated and settings checked
    /// (`SampleSettings.check`). `progress(imagesDone)` follows each batch; `cancelled()`, asked at
    /// every denoising step, stops the work by throwing `CancellationError`; `stepProgress(done, total)`
    /// follows the denoising steps of the batch being drawn (a server's progress bar moves within a batch).
    public func images(_ requests: [(graph: SceneGraph, seed: UInt64)], settings: SampleSettings,
                       progress: ((Int) -> Void)? = nil, cancelled: (() -> Bool)? = nil,
                       stepProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [ByteImage] {
        if settings.bestOf > 1 {
            return try bestImages(requests, settings: settings, progress: progress, cancelled: cancelled, stepProgress: stepProgress)
        }
        let sampler = settings.sampler.makeSampler()
        var images: [ByteImage] = []
        images.reserveCapacity(requests.count)
        for lower in stride(from: 0, to: requests.count, by: batchSize) {
            let part = requests[lower..<min(lower + batchSize, requests.count)]
            let batch = try GraphBatch(part.map(\.graph), vocabulary: vocabulary)
            let x = try model.sample(graphs: batch, seeds: part.map(\.seed), sampler: sampler, guidance: settings.classifierFreeGuidance,
                                     schedule: schedule, imageSize: imageSize,
                                     progress: { done, total in
                                         if cancelled?() == true { throw CancellationError() }
                                         stepProgress?(done, total)
                                     })
            images += try Self.byteImages(x)
            progress?(images.count)
        }
        return images
    }

    /// The images of a [B, 3, S, S] batch in [−1, 1].
    static func byteImages(_ x: Tensor) throws -> [ByteImage] {
        let per = x.count / max(x.shape[0], 1), shape = Array(x.shape.dropFirst())
        return try (0..<x.shape[0]).map { i in
            try ByteImage(tensor: Tensor(shape: shape, scalars: Array(UnsafeBufferPointer(start: x.storage.pointer + i * per, count: per))))
        }
    }
}

/// A user-facing sampling problem (bad option, bad output path).
public struct SamplingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
