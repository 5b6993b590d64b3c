import Pipeline
import Foundation
import Output
#if canImport(Glibc)
import Glibc
#endif

/// One line of a manifest: an output that is finished — drawn and on disk, or failed for good.
public struct ManifestEntry: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case ok, failed }

    public var id: String
    public var index: Int
    /// Paths relative to the output folder; they exist before the line is written.
    public var files: [String]
    public var seed: UInt64
    /// Wall time spent on this output (its share of its batch).
    public var seconds: Double
    public var status: Status
    /// Why a failed output failed.
    public var reason: String?
    /// The jobs file line it came from.
    public var line: Int

    public init(id: String, index: Int, files: [String], seed: UInt64, seconds: Double, status: Status, reason: String? = nil, line: Int) {
        self.id = id; self.index = index; self.files = files; self.seed = seed; self.seconds = seconds
        self.status = status; self.reason = reason; self.line = line
    }

    public var key: ItemKey { ItemKey(id: id, index: index) }

    /// The entry as one JSON line (keys sorted), without the newline.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// A manifest as read from disk. A line that is not a whole entry — the tail of a write cut short by
/// a crash — is counted, not fatal: that output is simply not done yet.
public struct ManifestContents: Sendable {
    public var entries: [ManifestEntry]
    /// 1-based numbers of lines that are not whole entries.
    public var damagedLines: [Int]

    /// Reads `url`; a missing file is an empty manifest.
    public static func read(_ url: URL) throws -> ManifestContents {
        guard FileManager.default.fileExists(atPath: url.path) else { return ManifestContents(entries: [], damagedLines: []) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw SamplingError("\(url.path): cannot read the manifest: \(error.localizedDescription)") }
        return parse(data)
    }

    /// Parses manifest bytes; the last line counts only if it ends with a newline (appends end with one).
    public static func parse(_ data: Data) -> ManifestContents {
        var entries: [ManifestEntry] = [], damaged: [Int] = []
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let decoder = JSONDecoder()
        for (i, line) in lines.enumerated() where !line.isEmpty {
            let terminated = i < lines.count - 1
            if terminated, let entry = try? decoder.decode(ManifestEntry.self, from: Data(line)) { entries.append(entry) } else { damaged.append(i + 1) }
        }
        return ManifestContents(entries: entries, damagedLines: damaged)
    }
}

/// A shard's manifest open for appending, held under an exclusive lock so that two processes never
/// run the same shard into one folder at once.
final class ManifestWriter {
    let url: URL
    private var fd: Int32 = -1
    private var lockFD: Int32 = -1

    /// Takes the shard's lock (`.NAME.lock` beside the manifest), failing at once if another process holds it.
    init(url: URL) throws {
        self.url = url
        let lockPath = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".lock").path
        lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw SamplingError("\(lockPath): cannot open the lock file: \(String(cString: strerror(errno)))") }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(lockFD)
            throw SamplingError("\(url.path): another process is running this shard into the same folder (lock \(lockPath) is held)")
        }
    }

    /// Replaces the manifest with exactly `entries` (atomically), then opens it for appending.
    /// Called once at the start, so torn, superseded and to-be-retried lines are gone before new ones are added.
    func reset(to entries: [ManifestEntry]) throws {
        let text = try entries.map { try $0.jsonLine() + "\n" }.joined()
        try AtomicFile.write(text, to: url)
        try openForAppend()
    }

    /// Opens the manifest for appending as it stands (nothing to rewrite).
    func openForAppend() throws {
        if fd >= 0 { Glibc.close(fd) }
        fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SamplingError("\(url.path): cannot open the manifest: \(String(cString: strerror(errno)))") }
    }

    /// Appends entries in one write and fsyncs: once this returns they survive a crash.
    func append(_ entries: [ManifestEntry]) throws {
        guard !entries.isEmpty else { return }
        let bytes = Array(try entries.map { try $0.jsonLine() + "\n" }.joined().utf8)
        let failure = Durability.writeAllAndSync(fd, bytes)
        if let failure { throw SamplingError("\(url.path): cannot append to the manifest: \(failure)") }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        if lockFD >= 0 { Glibc.close(lockFD); lockFD = -1 }
    }

    deinit { close() }
}
