import Foundation
import Pipeline

/// The image model and the optional video model the server draws with.
///
/// `@unchecked Sendable` because `DiffusionPipeline` is a class: request handlers only read what
/// never changes after loading (vocabulary, validator, setup, metadata) to validate requests, and
/// only the queue's one worker thread samples, so no two threads ever write to a pipeline.
public final class LoadedModels: @unchecked Sendable {
    public let image: DiffusionPipeline
    public let video: DiffusionPipeline?
    /// The file names shown in `GET /v1/model` (nil for a model built in memory).
    public let imageFile: String?
    public let videoFile: String?

    public init(image: DiffusionPipeline, video: DiffusionPipeline? = nil, imageFile: String? = nil, videoFile: String? = nil) {
        self.image = image; self.video = video; self.imageFile = imageFile; self.videoFile = videoFile
    }

    /// Loads the model files: `image` (nil = the shipped image model) and `video` (nil = the
    /// shipped video model if there is one, else none: frame requests are then refused).
    public static func load(image: URL?, video: URL?) throws -> LoadedModels {
        let imageURL = try image ?? ShippedModel.image.locate()
        let imagePipeline = try DiffusionPipeline(modelFile: imageURL)
        let videoURL = video ?? (try? ShippedModel.video.locate())
        let videoPipeline = try videoURL.map { try DiffusionPipeline(modelFile: $0) }
        return LoadedModels(image: imagePipeline, video: videoPipeline,
                            imageFile: imageURL.lastPathComponent, videoFile: videoURL?.lastPathComponent)
    }
}
