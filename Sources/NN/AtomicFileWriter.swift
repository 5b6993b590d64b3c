import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes whole files so that readers see either the old file or the complete new one, never a
/// partial file: bytes go to a temporary file in the destination folder, are fsynced, then
/// renamed over the destination.
public enum AtomicFileWriter {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// Writes `bytes` to `url` atomically.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw WriteError(path: url.path, reason: "folder \(folder) does not exist")
        }
        let temp = folder + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: url.path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer { if !ok { unlink(temp) } }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return String(cString: strerror(errno)) }
                written += n
            }
            return fsync(fd) == 0 ? nil : String(cString: strerror(errno))
        }
        let closed = close(fd)
        if let failure { throw WriteError(path: url.path, reason: failure) }
        guard closed == 0 else { throw WriteError(path: url.path, reason: String(cString: strerror(errno))) }
        guard rename(temp, url.path) == 0 else { throw WriteError(path: url.path, reason: String(cString: strerror(errno))) }
        ok = true
    }
}
