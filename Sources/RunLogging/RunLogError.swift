/// What went wrong writing a run's metrics or event files; every message names the file.
public enum RunLogError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case closed(path: String)
    case notPNG(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "\(path): cannot open: \(reason)"
        case .cannotWrite(let path, let reason): "\(path): cannot write: \(reason)"
        case .closed(let path): "\(path): written after close()"
        case .notPNG(let why): "image summary: not a PNG: \(why)"
        }
    }
}
