import Foundation
import Output
import NN

/// The folder of one training run, readable by anyone: `config.yaml` (the resolved config),
/// `metrics.jsonl` and TensorBoard event files, `loss.png`, `samples/`, `checkpoints/`, and the
/// run's products (weights) at the end.
public struct RunFolder: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var metricsFile: URL { url.appendingPathComponent("metrics.jsonl") }
    public var resolvedConfig: URL { url.appendingPathComponent("config.yaml") }
    public var samples: URL { url.appendingPathComponent("samples") }
    public var lossCurve: URL { url.appendingPathComponent("loss.png") }

    /// Starts a new run: the folder must not exist or be empty (a run is never silently mixed
    /// with another), and its parent must be writable. Writes the resolved config.
    public static func create(_ url: URL, resolvedConfig: String) throws -> RunFolder {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw CheckpointError(path: url.path, message: "exists and is not a folder") }
            let contents = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
            guard contents.isEmpty else {
                throw CheckpointError(path: url.path, message: "already holds a run (use --resume to continue it, or choose another --out)")
            }
        }
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw CheckpointError(path: url.path, message: "cannot create the run folder: \(reason(error))")
        }
        do { try checkWritableFolder(url) } catch let e as OutputError { throw CheckpointError(path: url.path, message: e.reason) }
        let run = RunFolder(url)
        try run.writeResolvedConfig(resolvedConfig)
        return run
    }

    /// Replaces `config.yaml` whole; a resumed run that changed its length writes it again so the
    /// next plain `--resume` keeps the new schedule instead of silently returning to the old one.
    public func writeResolvedConfig(_ text: String) throws {
        try AtomicFile.write(Array(text.utf8), to: resolvedConfig)
    }

    /// Opens an existing run to resume it: the folder and its resolved config must exist.
    public static func existing(_ url: URL) throws -> RunFolder {
        let run = RunFolder(url)
        guard FileManager.default.fileExists(atPath: run.resolvedConfig.path) else {
            throw CheckpointError(path: url.path, message: "no run to resume here (config.yaml is missing)")
        }
        do { try checkWritableFolder(url) } catch let e as OutputError { throw CheckpointError(path: url.path, message: e.reason) }
        return run
    }
}

/// A run folder's lock (`.lock`, flock): two processes training in one run would overwrite each
/// other's checkpoints. Released when this object goes away (or the process ends).
public final class RunLock {
    private let fd: Int32

    /// Takes the lock, or fails at once when another process holds it.
    public init(_ run: RunFolder) throws {
        fd = open(run.url.appendingPathComponent(".lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CheckpointError(path: run.url.path, message: "cannot create the run's lock file: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw CheckpointError(path: run.url.path, message: "another process is training in this run folder")
        }
    }

    deinit { close(fd) }
}

/// The shortest readable reason of a Foundation error.
func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, let s = underlying.localizedFailureReason ?? Optional(underlying.localizedDescription) {
        return s
    }
    return ns.localizedDescription
}
