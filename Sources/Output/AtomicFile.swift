import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file writes that readers see as either the old file or the complete new one, never a
/// partial file, also across a crash or power loss.
public enum AtomicFile {
    /// Writes `bytes` to `url`: a temporary file in the same folder, fsync, rename, fsync folder.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let output = try OutputPath(url)
        let fd = open(output.temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError.fromErrno(url.path) }
        var failure = Durability.writeAllAndSync(fd, bytes).map { OutputError(path: url.path, reason: $0) }
        if close(fd) != 0, failure == nil { failure = OutputError.fromErrno(url.path, "close") }
        if let failure {
            output.discard()
            throw failure
        }
        try output.commit()
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws { try write(Array(text.utf8), to: url) }
}
