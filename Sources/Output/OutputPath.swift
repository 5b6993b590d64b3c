import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An output file for writers that need a path (libpng, FFmpeg): they write a hidden temporary
/// file beside the destination, which `commit` makes durable and renames into place, so no
/// reader ever sees a partial file, even after a crash.
public struct OutputPath: Sendable {
    /// Where the file ends up.
    public let final: URL
    /// Where the writer writes.
    public let temporary: URL

    /// Checks that the destination folder exists and can take a new file.
    public init(_ url: URL) throws {
        try Durability.checkWritableFolder(url.deletingLastPathComponent().path, for: url.path)
        final = url
        temporary = Durability.temporarySibling(of: url, tag: "partial")
    }

    /// Moves the finished temporary file into place: fsync file, rename, fsync folder. On
    /// failure the temporary file is removed.
    public func commit() throws {
        do {
            try Durability.syncFile(temporary.path, reportingAs: final.path)
            guard rename(temporary.path, final.path) == 0 else { throw OutputError.fromErrno(final.path, "rename") }
        } catch {
            discard()
            throw error
        }
        try Durability.syncFolder(final.deletingLastPathComponent().path, reportingAs: final.path)
    }

    /// Removes the temporary file (after a failure).
    public func discard() { unlink(temporary.path) }
}
