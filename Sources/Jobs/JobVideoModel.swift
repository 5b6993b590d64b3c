import Pipeline
import Foundation

/// The model a batch job draws its video outputs with, as `sample --jobs` chose it. It is a path,
/// not a loaded model: a shard loads it only when it has video outputs to draw.
public enum JobVideoModel: Sendable, Equatable {
    /// A model file. If it is missing or unreadable the run stops with one message, like the image model.
    case file(URL)
    /// No model: every video output to draw is recorded as failed with `reason`.
    case missing(reason: String)
    /// No video model is shipped: the job's image model draws the frames, every one from the same
    /// noise (the baseline; `ShippedModel.imageModelDrawsClips` says so once).
    case imageModel

    /// `--video-model PATH` if given, else `defaultPath` if that file exists, else (no `defaultPath`)
    /// the shipped video model wherever `ShippedModel` finds it, else the job's image model.
    public static func resolve(flag: String?, defaultPath: String? = nil, folders: [URL] = ShippedModel.searchFolders()) -> JobVideoModel {
        if let flag { return .file(URL(fileURLWithPath: flag)) }
        if let defaultPath {
            return FileManager.default.fileExists(atPath: defaultPath) ? .file(URL(fileURLWithPath: defaultPath)) : .missing(reason: missingReason(defaultPath: defaultPath))
        }
        if let shipped = try? ShippedModel.video.locate(in: folders) { return .file(shipped) }
        return .imageModel
    }

    /// The reason recorded when no video model was given and the default one does not exist.
    public static func missingReason(defaultPath: String = "weights/" + ShippedModel.video.rawValue) -> String {
        "no video model: pass --video-model PATH (\(defaultPath) does not exist)"
    }

    /// What `BatchJob` assumes when told nothing: no video model.
    public static let notGiven = JobVideoModel.missing(reason: missingReason())
}
