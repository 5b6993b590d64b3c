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
    /// The file of the learned graph–image score that `best_of` ranks by (nil = none loaded: `best_of` > 1 is refused).
    public let scorerFile: String?

    public init(image: DiffusionPipeline, video: DiffusionPipeline? = nil, imageFile: String? = nil, videoFile: String? = nil, scorerFile: String? = nil) {
        self.image = image; self.video = video; self.imageFile = imageFile; self.videoFile = videoFile; self.scorerFile = scorerFile
    }

    /// Loads the model files: `image` (nil = the shipped image model) and `video` (nil = the
    /// shipped video model if there is one, else the image model draws frames, each from the same
    /// noise — `GET /v1/model` then shows the image model's file as the video model, with no frame
    /// positions) and `scorer` for `best_of` (nil = the shipped encoders if found and fit for the image model).
    /// The shipped models are looked for in `folders`.
    public static func load(image: URL?, video: URL?, scorer: URL? = nil, folders: [URL] = ShippedModel.searchFolders()) throws -> LoadedModels {
        let imageURL = try image ?? ShippedModel.image.locate(in: folders)
        let imagePipeline = try DiffusionPipeline(modelFile: imageURL)
        var scorerURL: URL?
        if let scorer {
            try imagePipeline.use(scorer: GraphImageScorer(file: scorer))
            scorerURL = scorer
        } else if let shipped = try? ShippedModel.encoders.locate(in: folders), (try? imagePipeline.use(scorer: GraphImageScorer(file: shipped))) != nil {
            scorerURL = shipped
        }
        let videoURL = video ?? (try? ShippedModel.video.locate(in: folders))
        let videoPipeline = try videoURL.map { try DiffusionPipeline(modelFile: $0) } ?? imagePipeline
        return LoadedModels(image: imagePipeline, video: videoPipeline, imageFile: imageURL.lastPathComponent,
                            videoFile: (videoURL ?? imageURL).lastPathComponent, scorerFile: scorerURL?.lastPathComponent)
    }
}
