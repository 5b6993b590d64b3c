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

    /// The file of this model: the first search folder that has it.
    public func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                       executable: URL? = Bundle.main.executableURL) throws -> URL {
        let folders = Self.searchFolders(environment: environment, executable: executable)
        for folder in folders {
            let file = folder.appendingPathComponent(rawValue)
            if FileManager.default.fileExists(atPath: file.path) { return file }
        }
        throw SamplingError("the shipped model \(rawValue) is in none of " + folders.map { $0.relativePath + "/" }.joined(separator: ", ")
            + " (set \(Self.environmentVariable) to the clone's weights/ folder, or pass --model)")
    }
}
