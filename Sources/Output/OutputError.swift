import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why an output could not be written: the path it was for and the reason.
public struct OutputError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure, for callers that map it onto their own errors.
    public enum Kind: Sendable, Equatable { case folderMissing, notWritable }

    public var path: String
    public var reason: String
    public var kind: Kind

    public init(path: String, reason: String, kind: Kind = .notWritable) { self.path = path; self.reason = reason; self.kind = kind }

    public var description: String { "\(path): cannot write: \(reason)" }

    /// The error for the failed system call that just set `errno`.
    static func fromErrno(_ path: String, _ what: String? = nil) -> OutputError {
        let reason = String(cString: strerror(errno))
        return OutputError(path: path, reason: what.map { "\($0): \(reason)" } ?? reason)
    }
}
