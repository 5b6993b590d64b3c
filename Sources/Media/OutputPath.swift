import Foundation
import Output

/// Media writes through `Output.OutputPath` and reports its failures as `MediaError`s.
extension MediaError {
    init(_ error: OutputError) {
        self = error.kind == .folderMissing ? .folderMissing(path: error.path) : .notWritable(path: error.path, reason: error.reason)
    }
}

extension OutputPath {
    /// An output path for `url`, failing with a `MediaError`.
    static func media(_ url: URL) throws -> OutputPath {
        do { return try OutputPath(url) } catch let error as OutputError { throw MediaError(error) }
    }

    /// `commit()`, failing with a `MediaError`.
    func commitMedia() throws {
        do { try commit() } catch let error as OutputError { throw MediaError(error) }
    }
}
