/// What went wrong reading or writing images and videos; every message names the file when there is one.
public enum MediaError: Error, CustomStringConvertible, Equatable {
    case invalidImage(String)
    case folderMissing(path: String)
    case notWritable(path: String, reason: String)
    case codecUnavailable(wanted: String, available: [String])
    case mismatchedFrames(String)
    case png(path: String, message: String)
    case ffmpeg(path: String, step: String, message: String)
    case noFrames(path: String)

    public var description: String {
        switch self {
        case .invalidImage(let why): "invalid image: \(why)"
        case .folderMissing(let path): "\(path): the output folder does not exist"
        case .notWritable(let path, let reason): "\(path): cannot write: \(reason)"
        case .codecUnavailable(let wanted, let available):
            "encoder \(wanted) is not available in this FFmpeg build (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .mismatchedFrames(let why): "frames differ in size: \(why)"
        case .png(let path, let message): "\(path): PNG: \(message)"
        case .ffmpeg(let path, let step, let message): "\(path): \(step): \(message)"
        case .noFrames(let path): "\(path): no video frames"
        }
    }
}
