import Pipeline
import Foundation
import Output
#if canImport(Glibc)
import Glibc
#endif

/// The files of a jobs output folder, and the plan record that lets `sample --merge` check a
/// sharded job without the model or the graphs.
public enum JobFolder {
    /// The good lines, one per line, in file order; every shard writes the same content.
    public static let planName = "plan.jsonl"
    /// The bad lines with their line numbers and reasons.
    public static let errorsName = "errors.jsonl"

    /// One good jobs line as `plan.jsonl` records it.
    public struct PlanEntry: Codable, Equatable, Sendable {
        public var id: String
        public var line: Int
        public var kind: JobKind
        public var count: Int
        public var seed: UInt64
        public var fileName: String

        enum CodingKeys: String, CodingKey { case id, line, kind, count, seed, fileName = "file_name" }

        public init(_ spec: JobSpec) {
            id = spec.id; line = spec.line; kind = spec.kind; count = spec.count; seed = spec.settings.seed; fileName = spec.fileName
        }

        /// The outputs this line asks for, with the files and seeds their manifest lines must carry.
        var items: [(key: ItemKey, files: [String], seed: UInt64)] {
            (0..<count).map { k in
                let folder = kind == .image ? "images" : "videos", ext = kind == .image ? "png" : "mp4"
                return (ItemKey(id: id, index: k), ["\(folder)/\(fileName)/\(JobItem.stem(k)).\(ext)"], seed &+ UInt64(k))
            }
        }
    }

    /// Creates the output folder if needed (its parent must exist); an existing folder is resumed.
    static func prepare(_ folder: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw SamplingError("\(folder.path): cannot write: exists and is not a folder") }
            try checkWritableFolder(folder)
            return
        }
        try makeFolder(folder)
    }

    /// Creates `folder` (and missing parents inside the output folder) and makes its name durable.
    static func makeFolder(_ folder: URL) throws {
        let parent = folder.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw SamplingError("\(folder.path): cannot write: folder \(parent.path) does not exist")
        }
        // Several shards may create the same folder at once: EEXIST is success.
        guard mkdir(folder.path, 0o755) == 0 || errno == EEXIST else {
            throw SamplingError("\(folder.path): cannot create: \(String(cString: strerror(errno)))")
        }
        let fd = open(parent.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); Glibc.close(fd) }
    }

    /// Writes `plan.jsonl` and `errors.jsonl` whole (atomically); concurrent shards write identical bytes.
    static func writePlan(_ plan: JobPlan, to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func lines<T: Encodable>(_ values: [T]) throws -> String {
            try values.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
        }
        try AtomicFile.write(try lines(plan.jobs.map(PlanEntry.init)), to: folder.appendingPathComponent(planName))
        try AtomicFile.write(try lines(plan.errors), to: folder.appendingPathComponent(errorsName))
    }

    /// Reads a JSONL file of `T`; `what` names it in errors.
    static func readLines<T: Decodable>(_ type: T.Type, from url: URL) throws -> [T] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw SamplingError("\(url.path): cannot read: \(error.localizedDescription)") }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).enumerated().map { i, line in
            do { return try decoder.decode(T.self, from: Data(line)) } catch {
                throw SamplingError("\(url.path):\(i + 1): not a valid \(T.self) line")
            }
        }
    }

    /// Removes the temporary files that writes killed mid-way left for `stems` (e.g. `000003`) in `folder`.
    /// Only this shard's outputs are named, so a shard never removes another running shard's temporaries.
    static func removeStaleTemporaries(in folder: URL, stems: Set<String>) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") {
            guard let range = name.range(of: ".partial-") else { continue }
            let stem = String(name[name.index(after: name.startIndex)..<range.lowerBound])
            if stems.contains(stem), unlink(folder.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }
}
