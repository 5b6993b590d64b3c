import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file opened for appending through a raw descriptor: each `append` goes straight to the
/// kernel, so readers (TensorBoard, `tail -f`) see whole batches while the run goes on, and a
/// killed process loses nothing it had appended.
final class AppendOnlyFile {
    let path: String
    private var fd: Int32

    /// Opens `path` for appending, creating it if needed.
    convenience init(path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunLogError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.init(path: path, fd: fd)
    }

    /// Creates `path`, or returns nil if a file of that name already exists.
    static func createNew(path: String) throws -> AppendOnlyFile? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0, errno == EEXIST { return nil }
        guard fd >= 0 else { throw RunLogError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        return AppendOnlyFile(path: path, fd: fd)
    }

    private init(path: String, fd: Int32) { self.path = path; self.fd = fd }

    func append(_ bytes: [UInt8]) throws {
        guard fd >= 0 else { throw RunLogError.closed(path: path) }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw -> String? in
            guard let base = raw.baseAddress else { return nil }
            while written < raw.count {
                let n = Glibc.write(fd, base + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return String(cString: strerror(errno)) }
                written += n
            }
            return nil
        }
        if let failure { throw RunLogError.cannotWrite(path: path, reason: failure) }
    }

    /// Flushes the file to disk; for the end of a run, not every line.
    func sync() { if fd >= 0 { _ = fsync(fd) } }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
