import Pipeline
import Foundation
import Output

/// `sample --merge DIR`: checks the shard manifests of a sharded job against its plan — all N shards
/// present, every output exactly once, every listed file on disk — and only then writes them as one
/// `manifest.jsonl` in job order. On a folder run as one process it checks `manifest.jsonl` alone.
public struct JobMerge {
    public var folder: URL

    public init(folder: URL) { self.folder = folder }

    /// Checks and merges; throws one message listing the problems (nothing is written then).
    public func run() throws -> MergeReport {
        let planURL = folder.appendingPathComponent(JobFolder.planName)
        guard FileManager.default.fileExists(atPath: planURL.path) else {
            throw SamplingError("\(folder.path): no \(JobFolder.planName): not the output folder of `sample --jobs` (or no shard has started)")
        }
        let plan = try JobFolder.readLines(JobFolder.PlanEntry.self, from: planURL)
        let errorsURL = folder.appendingPathComponent(JobFolder.errorsName)
        let badLines = FileManager.default.fileExists(atPath: errorsURL.path) ? try JobFolder.readLines(JobLineError.self, from: errorsURL) : []

        let manifests = try shardManifests()
        var problems: [String] = []
        var seen: [ItemKey: (entry: ManifestEntry, from: String)] = [:]
        for url in manifests {
            let contents = try ManifestContents.read(url)
            for line in contents.damagedLines { problems.append("\(url.lastPathComponent):\(line): not a whole manifest line (rerun that shard)") }
            for entry in contents.entries {
                if let first = seen[entry.key] {
                    problems.append("\(entry.key) is in the manifests twice (\(first.from) and \(url.lastPathComponent))")
                    continue
                }
                seen[entry.key] = (entry, url.lastPathComponent)
            }
        }
        var merged: [ManifestEntry] = [], expected = Set<ItemKey>()
        for line in plan {
            for item in line.items {
                expected.insert(item.key)
                guard let (entry, from) = seen[item.key] else {
                    problems.append("\(item.key) (line \(line.line)) is in no manifest: its shard has not finished (rerun it)")
                    continue
                }
                if entry.seed != item.seed { problems.append("\(item.key) in \(from) has seed \(entry.seed), the plan says \(item.seed)") }
                if entry.status == .ok {
                    if entry.files != item.files { problems.append("\(item.key) in \(from) lists \(entry.files), the plan says \(item.files)") }
                    for file in entry.files where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) {
                        problems.append("\(item.key) in \(from): \(file) does not exist")
                    }
                }
                merged.append(entry)
            }
        }
        for key in seen.keys.sorted() where !expected.contains(key) {
            problems.append("\(key) in \(seen[key]!.from) is not in the job's plan (was the jobs file changed between runs?)")
        }
        if !problems.isEmpty {
            let shown = problems.prefix(20).map { "  " + $0 }.joined(separator: "\n")
            throw SamplingError("\(folder.path): cannot merge, \(problems.count) problems:\n\(shown)" + (problems.count > 20 ? "\n  …" : ""))
        }
        let single = manifests.count == 1 && manifests[0].lastPathComponent == Shard.whole.manifestName
        if !single {
            try AtomicFile.write(try merged.map { try $0.jsonLine() + "\n" }.joined(), to: folder.appendingPathComponent(Shard.whole.manifestName))
        }
        return MergeReport(folder: folder.path, shards: single ? 1 : manifests.count, entries: merged, badLines: badLines)
    }

    /// The shard manifests `manifest.shard-I-of-N.jsonl`, all of one N and none missing; else `manifest.jsonl` alone.
    func shardManifests() throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var shards: [(index: Int, count: Int, name: String)] = []
        for name in names where name.hasPrefix("manifest.shard-") && name.hasSuffix(".jsonl") {
            let middle = name.dropFirst("manifest.shard-".count).dropLast(".jsonl".count).split(separator: "-")
            guard middle.count == 3, middle[1] == "of", let i = Int(middle[0]), let n = Int(middle[2]) else { continue }
            shards.append((i, n, name))
        }
        if shards.isEmpty {
            guard names.contains(Shard.whole.manifestName) else { throw SamplingError("\(folder.path): no manifests to merge") }
            return [folder.appendingPathComponent(Shard.whole.manifestName)]
        }
        let counts = Set(shards.map(\.count))
        guard counts.count == 1, let n = counts.first else {
            throw SamplingError("\(folder.path): manifests of different shard counts (\(counts.sorted().map(String.init).joined(separator: ", "))): one job, one N")
        }
        let missing = (0..<n).filter { i in !shards.contains { $0.index == i } }
        guard missing.isEmpty else {
            throw SamplingError("\(folder.path): shards \(missing.map(String.init).joined(separator: ", ")) of \(n) have no manifest (not started?)")
        }
        return shards.sorted { $0.index < $1.index }.map { folder.appendingPathComponent($0.name) }
    }
}

/// What a merge found.
public struct MergeReport: Sendable, CustomStringConvertible {
    public var folder: String
    public var shards: Int
    /// The merged manifest, in job order.
    public var entries: [ManifestEntry]
    public var badLines: [JobLineError]

    public var description: String {
        let failed = entries.filter { $0.status == .failed }
        var lines = ["\(folder): \(shards) shard\(shards == 1 ? "" : "s"), \(entries.count) outputs, each exactly once: \(entries.count - failed.count) ok, \(failed.count) failed; \(badLines.count) bad lines"
                     + (shards == 1 ? "" : " → manifest.jsonl")]
        // Failures are grouped by reason: a thousand video lines make one line here, not a thousand.
        for (reason, group) in Dictionary(grouping: failed, by: { $0.reason ?? "?" }).sorted(by: { $0.key < $1.key }) {
            lines.append("  failed: \(group.count) × \(reason) (e.g. \(group[0].key))")
        }
        for error in badLines.prefix(20) { lines.append("  bad line: \(error)") }
        if badLines.count > 20 { lines.append("  … \(badLines.count - 20) more in errors.jsonl") }
        return lines.joined(separator: "\n")
    }
}
