import Foundation

/// Where an output file is first written: a hidden temporary file beside the destination, renamed
/// into place only when complete, so no reader ever sees a partial file.
struct OutputPath {
    let final: URL
    let temporary: URL

    /// Checks that the folder exists and can take a new file, and picks the temporary name (which
    /// keeps the extension, so format guessing still works).
    init(_ url: URL) throws {
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw MediaError.folderMissing(path: url.path)
        }
        guard isFolder.boolValue else { throw MediaError.notWritable(path: url.path, reason: "\(folder.path) is not a folder") }
        guard access(folder.path, W_OK) == 0 else { throw MediaError.notWritable(path: url.path, reason: String(cString: strerror(errno))) }
        final = url
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        temporary = folder.appendingPathComponent(".\(url.deletingPathExtension().lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(ext)")
    }

    /// Moves the finished temporary file into place.
    func commit() throws {
        guard rename(temporary.path, final.path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw MediaError.notWritable(path: final.path, reason: reason)
        }
    }

    /// Removes the temporary file (after a failure).
    func discard() { unlink(temporary.path) }
}
