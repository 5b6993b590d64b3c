import Foundation

/// The models shipped in the repository's `weights/`, found from any working folder: in
/// `$SGD_WEIGHTS` if set, else `weights/` of the current folder, else `weights/` of the clone the
/// running executable was built in (`.build/<triple>/<config>/sample` → three folders up).
public enum ShippedModel: String, Sendable, CaseIterable {
    case image = "shapes32.safetensors"
    case video = "shapes32_video.safetensors"
    /// The pretrained graph and image encoders: the learned graph–image score (`GraphImageScorer`).
    case encoders = "shapes32_encoder.safetensors"

    /// The environment variable naming the folder of the shipped models.
    public static let environmentVariable = "SGD_WEIGHTS"

    /// The folders searched, in order.
    public static func searchFolders(environment: [String: String] = ProcessInfo.processInfo.environment,
                                     executable: URL? = Bundle.main.executableURL) -> [URL] {
        var folders: [URL] = []
        if let dir = environment[environmentVariable], !dir.isEmpty { folders.append(URL(fileURLWithPath: dir)) }
        folders.append(URL(fileURLWithPath: "weights"))
        if let executable {
            let clone = executable.resolvingSymlinksInPath().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            folders.append(clone.appendingPathComponent("weights"))
        }
        return folders
    }

    /// Said once when frames are drawn by the image model because no video model is shipped.
    public static let imageModelDrawsClips = "no video model is shipped (\(video.rawValue)): the image model draws every frame "
        + "from the same noise — smooth while the relations hold, a jump where one changes (docs/video.md)"

    /// The model that draws frame sequences when none is given: the shipped video model or, while none
    /// is shipped, the shipped image model — every frame from the same noise, the baseline a video
    /// model is measured against — with `imageModelDrawsClips` as the notice to show.
    public static func forClips(in folders: [URL] = searchFolders()) throws -> (file: URL, notice: String?) {
        if let file = try? video.locate(in: folders) { return (file, nil) }
        return (try image.locate(in: folders), imageModelDrawsClips)
    }

    /// The file of this model: the first search folder that has it.
    public func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                       executable: URL? = Bundle.main.executableURL) throws -> URL {
        try locate(in: Self.searchFolders(environment: environment, executable: executable))
    }

    /// The file of this model in the first of `folders` that has it.
    public func locate(in folders: [URL]) throws -> URL {
        for folder in folders {
            let file = folder.appendingPathComponent(rawValue)
            if FileManager.default.fileExists(atPath: file.path) { return file }
        }
        throw SamplingError("the shipped model \(rawValue) is in none of " + folders.map { $0.relativePath + "/" }.joined(separator: ", ")
            + " (set \(Self.environmentVariable) to the clone's weights/ folder, or pass --model)")
    }
}
