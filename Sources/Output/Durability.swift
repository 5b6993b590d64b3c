import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// fsync helpers: a rename is only durable once the renamed file's data and the folder entry
/// that names it are both on disk, so a crash right after commit cannot leave an empty file.
public enum Durability {
    /// Writes all of `bytes` to `fd` (retrying short and interrupted writes), then fsyncs it; on
    /// failure returns which call failed and strerror's reason (errno is gone by the time a caller
    /// formats its own message).
    public static func writeAllAndSync(_ fd: Int32, _ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { raw -> String? in
            var written = 0
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return "write: " + String(cString: strerror(errno))
                }
                written += n
            }
            return fsync(fd) == 0 ? nil : "fsync: " + String(cString: strerror(errno))
        }
    }

    /// Flushes the file at `path` to disk.
    static func syncFile(_ path: String, reportingAs reported: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError.fromErrno(reported, "open \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw OutputError.fromErrno(reported, "fsync") }
    }

    /// Flushes a folder's entries (the names of files renamed into it) to disk.
    static func syncFolder(_ path: String, reportingAs reported: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError.fromErrno(reported, "open folder \(path)") }
        defer { close(fd) }
        // Some file systems cannot sync a folder (EINVAL); the rename itself has still happened.
        guard fsync(fd) == 0 || errno == EINVAL else { throw OutputError.fromErrno(reported, "fsync folder \(path)") }
    }

    /// Checks that `folder` exists, is a folder and can take new files.
    static func checkWritableFolder(_ folder: String, for path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw OutputError(path: path, reason: "the folder \(folder) does not exist", kind: .folderMissing)
        }
        guard isFolder.boolValue else { throw OutputError(path: path, reason: "\(folder) is not a folder") }
        guard access(folder, W_OK) == 0 else { throw OutputError.fromErrno(path, "folder \(folder)") }
    }

    /// A hidden name beside `url` that no other writer picks, keeping the extension (libraries
    /// such as FFmpeg guess the format from it).
    static func temporarySibling(of url: URL, tag: String) -> URL {
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(stem).\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(ext)")
    }
}

/// Refuses, before any work is done, an output file whose folder is missing, is not a folder or
/// cannot take new files: the one writability check of every command.
public func checkWritableParent(of url: URL) throws {
    try Durability.checkWritableFolder(url.deletingLastPathComponent().path, for: url.path)
}

/// The same check for a folder that will itself receive files.
public func checkWritableFolder(_ url: URL) throws {
    try Durability.checkWritableFolder(url.path, for: url.path)
}
